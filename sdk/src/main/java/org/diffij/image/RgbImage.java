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
