package org.diffij.image;

import org.diffij.DiffijException;

/**
 * Separable image resizing as Pillow does it (the reference of every diffusers/transformers image
 * processor): a filter stretched by the scale factor when shrinking (so downsizing averages, not
 * aliases), weights normalised per output pixel, and for 8-bit images fixed-point weights with
 * rounding and clamping to 0..255 after each pass, horizontal pass first.
 */
public final class Resampler {

    /** Pillow's filters by the names users know. */
    public enum Filter {
        BILINEAR(1.0) {
            @Override
            double weight(double x) {
                x = Math.abs(x);
                return x < 1 ? 1 - x : 0;
            }
        },
        BICUBIC(2.0) {
            @Override
            double weight(double x) {
                final double a = -0.5;
                x = Math.abs(x);
                if (x < 1) {
                    return ((a + 2) * x - (a + 3)) * x * x + 1;
                }
                if (x < 2) {
                    return (((x - 5) * x + 8) * x - 4) * a;
                }
                return 0;
            }
        },
        LANCZOS(3.0) {
            @Override
            double weight(double x) {
                if (x == 0) {
                    return 1;
                }
                if (x <= -3 || x >= 3) {
                    return 0;
                }
                double px = Math.PI * x;
                return 3 * Math.sin(px) * Math.sin(px / 3) / (px * px);
            }
        };

        private final double support;

        Filter(double support) {
            this.support = support;
        }

        abstract double weight(double x);
    }

    private static final int PRECISION_BITS = 32 - 8 - 2;

    private Resampler() {
    }

    /** Resizes interleaved 8-bit pixels ({@code channels} per pixel, values 0..255) exactly as Pillow. */
    public static int[] resize8(int[] pixels, int width, int height, int channels, int newWidth, int newHeight,
            Filter filter) {
        check(pixels.length, width, height, channels, newWidth, newHeight);
        int[] horizontal = pixels;
        if (newWidth != width) {
            horizontal = pass8(pixels, width, height, channels, newWidth, filter, true);
        }
        if (newHeight != height) {
            return pass8(horizontal, newWidth, height, channels, newHeight, filter, false);
        }
        return horizontal == pixels ? pixels.clone() : horizontal;
    }

    private static void check(int length, int width, int height, int channels, int newWidth, int newHeight) {
        if (width <= 0 || height <= 0 || channels <= 0 || (long) width * height * channels != length) {
            throw new DiffijException("resize: " + length + " values do not make a " + width + "x" + height + "x"
                    + channels + " image");
        }
        if (newWidth <= 0 || newHeight <= 0 || newWidth > 65536 || newHeight > 65536) {
            throw new DiffijException("resize: cannot resize to " + newWidth + "x" + newHeight);
        }
    }

    /** The taps of one output coordinate: the first input index and the normalised weights. */
    private record Taps(int[] first, double[][] weights) {
    }

    private static Taps taps(int inSize, int outSize, Filter filter) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = filter.support * filterScale;
        int[] first = new int[outSize];
        double[][] weights = new double[outSize][];
        for (int x = 0; x < outSize; x++) {
            double center = (x + 0.5) * scale;
            int min = Math.max((int) (center - support + 0.5), 0);
            int max = Math.min((int) (center + support + 0.5), inSize);
            double[] w = new double[max - min];
            double sum = 0;
            for (int i = 0; i < w.length; i++) {
                w[i] = filter.weight((i + min - center + 0.5) / filterScale);
                sum += w[i];
            }
            if (sum != 0) {
                for (int i = 0; i < w.length; i++) {
                    w[i] /= sum;
                }
            }
            first[x] = min;
            weights[x] = w;
        }
        return new Taps(first, weights);
    }

    private static int[] pass8(int[] in, int width, int height, int channels, int outSize, Filter filter,
            boolean horizontal) {
        int inSize = horizontal ? width : height;
        Taps taps = taps(inSize, outSize, filter);
        int[][] fixed = new int[outSize][];
        for (int x = 0; x < outSize; x++) {
            double[] w = taps.weights()[x];
            fixed[x] = new int[w.length];
            for (int i = 0; i < w.length; i++) {
                double scaled = w[i] * (1 << PRECISION_BITS);
                fixed[x][i] = (int) (scaled < 0 ? scaled - 0.5 : scaled + 0.5);
            }
        }
        int outWidth = horizontal ? outSize : width;
        int outHeight = horizontal ? height : outSize;
        int[] out = new int[outWidth * outHeight * channels];
        for (int y = 0; y < outHeight; y++) {
            for (int x = 0; x < outWidth; x++) {
                int o = horizontal ? x : y;
                int[] k = fixed[o];
                int start = taps.first()[o];
                for (int c = 0; c < channels; c++) {
                    long sum = 1L << (PRECISION_BITS - 1);
                    for (int i = 0; i < k.length; i++) {
                        int source = horizontal ? (y * width + start + i) : ((start + i) * width + x);
                        sum += (long) in[source * channels + c] * k[i];
                    }
                    out[(y * outWidth + x) * channels + c] = clip8(sum);
                }
            }
        }
        return out;
    }

    private static int clip8(long value) {
        if (value <= 0) {
            return 0;
        }
        long shifted = value >> PRECISION_BITS;
        return shifted >= 255 ? 255 : (int) shifted;
    }
}
