package org.diffij.pipelines;

import org.diffij.DiffijException;
import org.diffij.image.RgbImage;

/**
 * Puts an inpainting result back onto the image it repaints, as A1111's overlay does: where the
 * mask is 0 the result is the source's own pixels, exactly; where the mask is soft (a feathered or
 * blurred edge) the two blend; inside it is the generated image. The latent mask the denoising loop
 * uses is binarised at 0.5, so on the whole picture the generated weight is {@code min(1, 2m)} (all of
 * the area the model repainted is kept); around the mask ("inpaint area: only masked") it is the mask
 * itself, pasted back at the source's resolution.
 *
 * @param source the image painted into: at the generation size for the whole picture, at its own
 *               size for only masked
 * @param mask   its mask (1 = repaint), at the source's size, row major
 * @param crop   the rectangle of the source that was generated (only masked), or null for the whole picture
 */
record InpaintComposite(RgbImage source, float[] mask, Crop crop) {

    /** A rectangle of the source: what "only masked" generates at full resolution. */
    record Crop(int x, int y, int width, int height) {

        /**
         * The bounding box of the mask's non-zero pixels grown by {@code padding} on every side,
         * then widened (or heightened) about its centre to the generation's aspect ratio so the
         * crop is not distorted, all within the image.
         */
        static Crop around(float[] mask, int imageWidth, int imageHeight, int padding, int aspectWidth,
                int aspectHeight) {
            int minX = imageWidth;
            int minY = imageHeight;
            int maxX = -1;
            int maxY = -1;
            for (int y = 0; y < imageHeight; y++) {
                for (int x = 0; x < imageWidth; x++) {
                    if (mask[y * imageWidth + x] > 0) {
                        minX = Math.min(minX, x);
                        maxX = Math.max(maxX, x);
                        minY = Math.min(minY, y);
                        maxY = Math.max(maxY, y);
                    }
                }
            }
            if (maxX < 0) {
                throw new DiffijException("the mask is empty: nothing to inpaint (white = repaint); with 'inpaint "
                        + "area: only masked' the mask decides what is generated");
            }
            int x1 = Math.max(0, minX - padding);
            int y1 = Math.max(0, minY - padding);
            int x2 = Math.min(imageWidth, maxX + 1 + padding);
            int y2 = Math.min(imageHeight, maxY + 1 + padding);
            double aspect = (double) aspectWidth / aspectHeight;
            int width = x2 - x1;
            int height = y2 - y1;
            if ((double) width / height < aspect) {
                int wanted = Math.min(imageWidth, (int) Math.round(height * aspect));
                int[] span = centred(x1, width, wanted, imageWidth);
                x1 = span[0];
                width = span[1];
            } else {
                int wanted = Math.min(imageHeight, (int) Math.round(width / aspect));
                int[] span = centred(y1, height, wanted, imageHeight);
                y1 = span[0];
                height = span[1];
            }
            return new Crop(x1, y1, width, height);
        }

        /** The span of {@code wanted} pixels centred on [start, start + length), moved to lie in [0, limit). */
        private static int[] centred(int start, int length, int wanted, int limit) {
            int from = start - (wanted - length) / 2;
            from = Math.max(0, Math.min(from, limit - wanted));
            return new int[] {from, wanted};
        }

        float[] of(float[] values, int imageWidth) {
            float[] out = new float[width * height];
            for (int row = 0; row < height; row++) {
                System.arraycopy(values, (y + row) * imageWidth + x, out, row * width, width);
            }
            return out;
        }
    }

    /** The generated image composited onto the source: the source's pixels wherever the mask is 0. */
    RgbImage apply(RgbImage generated) {
        int width = source.width();
        float[] out = source.rgb().clone();
        float[] repainted = crop == null ? generated.rgb() : generated.resized(crop.width(), crop.height()).rgb();
        int left = crop == null ? 0 : crop.x();
        int top = crop == null ? 0 : crop.y();
        int regionWidth = crop == null ? width : crop.width();
        int regionHeight = crop == null ? source.height() : crop.height();
        for (int row = 0; row < regionHeight; row++) {
            for (int column = 0; column < regionWidth; column++) {
                int pixel = (top + row) * width + left + column;
                float m = mask[pixel];
                float weight = crop == null ? Math.min(1f, 2 * m) : m;
                if (weight <= 0) {
                    continue;
                }
                int from = 3 * (row * regionWidth + column);
                for (int c = 0; c < 3; c++) {
                    float kept = out[3 * pixel + c];
                    out[3 * pixel + c] = weight >= 1 ? repainted[from + c] : kept + weight * (repainted[from + c] - kept);
                }
            }
        }
        return new RgbImage(width, source.height(), out);
    }
}
