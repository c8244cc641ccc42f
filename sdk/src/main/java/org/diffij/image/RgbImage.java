package org.diffij.image;

import org.diffij.DiffijException;

/**
 * An RGB image as the pipelines produce and consume it: interleaved float values in [0, 1], row
 * major, no library-specific type (conversion to ImageJ lives in the plugin).
 */
public record RgbImage(int width, int height, float[] rgb) {

    public RgbImage {
        if (width <= 0 || height <= 0) {
            throw new DiffijException("an image needs a positive size, not " + width + "x" + height);
        }
        if (rgb.length != 3L * width * height) {
            throw new DiffijException("an RGB image of " + width + "x" + height + " needs " + 3L * width * height
                    + " values, got " + rgb.length);
        }
    }

    /** Packed 0xRRGGBB pixels, values rounded as PIL does when saving (round half up after clamping). */
    public int[] toPackedRgb() {
        int[] packed = new int[width * height];
        for (int i = 0; i < packed.length; i++) {
            packed[i] = (toByte(rgb[3 * i]) << 16) | (toByte(rgb[3 * i + 1]) << 8) | toByte(rgb[3 * i + 2]);
        }
        return packed;
    }

    /**
     * This image at another size, resized as Pillow's Lanczos filter does on 8-bit pixels (so values
     * become multiples of 1/255); the image itself when the size is already that.
     */
    public RgbImage resized(int newWidth, int newHeight) {
        if (newWidth == width && newHeight == height) {
            return this;
        }
        int[] packed = toPackedRgb();
        int[] channels = new int[3 * packed.length];
        for (int i = 0; i < packed.length; i++) {
            channels[3 * i] = (packed[i] >> 16) & 0xff;
            channels[3 * i + 1] = (packed[i] >> 8) & 0xff;
            channels[3 * i + 2] = packed[i] & 0xff;
        }
        int[] resized = Resampler.resize8(channels, width, height, 3, newWidth, newHeight, Resampler.Filter.LANCZOS);
        float[] values = new float[resized.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = resized[i] / 255f;
        }
        return new RgbImage(newWidth, newHeight, values);
    }

    /** The rectangle of this image at ({@code x}, {@code y}) of the given size. */
    public RgbImage crop(int x, int y, int cropWidth, int cropHeight) {
        if (x < 0 || y < 0 || cropWidth < 1 || cropHeight < 1 || x + cropWidth > width || y + cropHeight > height) {
            throw new DiffijException("the crop " + cropWidth + "x" + cropHeight + " at " + x + "," + y
                    + " does not lie inside the " + width + "x" + height + " image");
        }
        float[] values = new float[3 * cropWidth * cropHeight];
        for (int row = 0; row < cropHeight; row++) {
            System.arraycopy(rgb, 3 * ((y + row) * width + x), values, 3 * row * cropWidth, 3 * cropWidth);
        }
        return new RgbImage(cropWidth, cropHeight, values);
    }

    /** Per-pixel luminance (ITU-R 601, as Pillow's {@code convert("L")} weighs), row major. */
    public float[] luminance() {
        float[] out = new float[width * height];
        for (int i = 0; i < out.length; i++) {
            out[i] = 0.299f * rgb[3 * i] + 0.587f * rgb[3 * i + 1] + 0.114f * rgb[3 * i + 2];
        }
        return out;
    }

    public static RgbImage fromPackedRgb(int width, int height, int[] packed) {
        float[] values = new float[3 * packed.length];
        for (int i = 0; i < packed.length; i++) {
            values[3 * i] = ((packed[i] >> 16) & 0xff) / 255f;
            values[3 * i + 1] = ((packed[i] >> 8) & 0xff) / 255f;
            values[3 * i + 2] = (packed[i] & 0xff) / 255f;
        }
        return new RgbImage(width, height, values);
    }

    private static int toByte(float value) {
        float clamped = Math.max(0f, Math.min(1f, value));
        return Math.round(clamped * 255f);
    }
}
