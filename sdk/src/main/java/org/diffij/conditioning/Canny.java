package org.diffij.conditioning;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.view.Views;
import org.diffij.DiffijException;

/**
 * Canny edges with exactly the output of OpenCV 4.6's {@code cv2.Canny} (no IPP, no HAL) on 8-bit
 * gray or RGB images: 255 on edge pixels, 0 elsewhere.
 *
 * <p>The steps, all in integers: Sobel gradients per channel with replicated borders (aperture 7
 * sums divided by 16, rounded half to even, thresholds divided by 16 too); per pixel the channel
 * with the largest magnitude ({@code |dx| + |dy|} or {@code dx^2 + dy^2}; an earlier channel wins
 * ties); non-maximum suppression along the gradient direction quantised with OpenCV's fixed-point
 * tan(22.5 deg) test and its asymmetric {@code >} / {@code >=} comparisons; hysteresis keeping the
 * suppressed pixels above the low threshold that are 8-connected to one above the high threshold.
 * Rows are processed in parallel stripes; hysteresis is one linear flood fill.
 */
public final class Canny {

    private static final int WEAK = 1;
    private static final int STRONG = 2;
    private static final int EDGE = 3;
    /** round(tan(22.5 deg) * 2^15), OpenCV's fixed-point direction test. */
    private static final int TAN_22_5_Q15 = 13573;

    private final CannyParameters parameters;

    public Canny(CannyParameters parameters) {
        this.parameters = parameters;
    }

    /**
     * The edges of an 8-bit image: 2-D (x, y) gray, or 3-D (x, y, channel) with 1 or 3 channels in
     * R, G, B order.
     */
    public Img<UnsignedByteType> edges(RandomAccessibleInterval<UnsignedByteType> image) {
        List<RandomAccessibleInterval<UnsignedByteType>> channels = channelsOf(image);
        int width = Planes.width(image);
        int height = Planes.height(image);
        Thresholds thresholds = Thresholds.of(parameters);
        Gradients gradients = new Gradients(width, height);
        Stripes.forEach(height, width, (from, to) -> gradients.compute(channels, parameters, from, to));
        byte[] kept = new byte[gradients.magnitude.length];
        Stripes.forEach(height, width,
                (from, to) -> suppressNonMaxima(gradients, thresholds.low(), thresholds.high(), kept, from, to));
        hysteresis(kept, gradients.stride);
        byte[] edges = new byte[width * height];
        Stripes.forEach(height, width, (from, to) -> {
            for (int y = from; y < to; y++) {
                int padded = (y + 1) * gradients.stride + 1;
                for (int x = 0; x < width; x++) {
                    edges[y * width + x] = kept[padded + x] == EDGE ? (byte) 255 : 0;
                }
            }
        });
        return ArrayImgs.unsignedBytes(edges, width, height);
    }

    /**
     * The integer thresholds OpenCV compares magnitudes with: divided by 16 for aperture 7 (whose
     * gradients are), ordered, squared for the L2 norm (after clipping to 32767), floored.
     */
    record Thresholds(int low, int high) {

        static Thresholds of(CannyParameters p) {
            double low = Math.min(p.threshold1(), p.threshold2());
            double high = Math.max(p.threshold1(), p.threshold2());
            if (p.apertureSize() == 7) {
                low /= 16;
                high /= 16;
            }
            if (p.l2Gradient()) {
                low = squared(low);
                high = squared(high);
            }
            return new Thresholds((int) Math.floor(low), (int) Math.floor(high));
        }

        private static double squared(double t) {
            double clipped = Math.min(32767.0, t);
            return clipped > 0 ? clipped * clipped : clipped;
        }
    }

    private static List<RandomAccessibleInterval<UnsignedByteType>> channelsOf(
            RandomAccessibleInterval<UnsignedByteType> image) {
        List<RandomAccessibleInterval<UnsignedByteType>> channels = new ArrayList<>();
        if (image.numDimensions() == 2) {
            channels.add(image);
        } else if (image.numDimensions() == 3 && (image.dimension(2) == 1 || image.dimension(2) == 3)) {
            for (long c = image.min(2); c <= image.max(2); c++) {
                channels.add(Views.hyperSlice(image, 2, c));
            }
        } else {
            throw new DiffijException("Canny needs a gray (x, y) or RGB (x, y, 3) 8-bit image, got "
                    + image.numDimensions() + " dimensions" + (image.numDimensions() == 3
                    ? " with " + image.dimension(2) + " channels" : ""));
        }
        Planes.requireSize(image, "the Canny input");
        return channels;
    }

    /**
     * dx, dy (row-major) and magnitude of the strongest channel of every pixel; the magnitudes
     * have a border of zeros one pixel wide (row stride {@code width + 2}), so that suppression
     * reads neighbours without bounds checks, as OpenCV pads its magnitude buffer.
     */
    private static final class Gradients {
        final int width;
        final int height;
        final int stride;
        final short[] dx;
        final short[] dy;
        final int[] magnitude;

        Gradients(int width, int height) {
            this.width = width;
            this.height = height;
            this.stride = width + 2;
            int n = width * height;
            dx = new short[n];
            dy = new short[n];
            magnitude = new int[stride * (height + 2)];
        }

        void compute(List<RandomAccessibleInterval<UnsignedByteType>> channels, CannyParameters p, int fromRow,
                int toRow) {
            int[] d = SobelKernels.derivative(p.apertureSize());
            int[] s = SobelKernels.smoothing(p.apertureSize());
            int r = d.length / 2;
            int firstSource = Math.max(0, fromRow - r);
            int lastSource = Math.min(height - 1, toRow - 1 + r);
            int rows = lastSource - firstSource + 1;
            int[][] derivativeX = new int[rows][width];
            int[][] smoothedX = new int[rows][width];
            int[] line = new int[width + 2 * r];
            int[][] dTaps = new int[d.length][];
            int[][] sTaps = new int[d.length][];
            boolean divideBy16 = p.apertureSize() == 7;
            for (int c = 0; c < channels.size(); c++) {
                RandomAccessibleInterval<UnsignedByteType> channel = channels.get(c);
                RandomAccess<UnsignedByteType> in = channel.randomAccess();
                for (int y = firstSource; y <= lastSource; y++) {
                    readReplicated(in, channel, y, line, r);
                    rowPass(line, d, s, derivativeX[y - firstSource], smoothedX[y - firstSource]);
                }
                for (int y = fromRow; y < toRow; y++) {
                    for (int k = 0; k < d.length; k++) {
                        int source = Math.min(Math.max(y + k - r, 0), height - 1) - firstSource;
                        dTaps[k] = derivativeX[source];
                        sTaps[k] = smoothedX[source];
                    }
                    int offset = y * width;
                    int padded = (y + 1) * stride + 1;
                    if (d.length == 3) {
                        keepStrongest(c, p.l2Gradient(), offset, padded, dTaps, sTaps);
                        continue;
                    }
                    for (int x = 0; x < width; x++) {
                        int gx = 0;
                        int gy = 0;
                        for (int k = 0; k < d.length; k++) {
                            gx += s[k] * dTaps[k][x];
                            gy += d[k] * sTaps[k][x];
                        }
                        if (divideBy16) {
                            gx = divideBy16RoundHalfEven(gx);
                            gy = divideBy16RoundHalfEven(gy);
                        }
                        int m = p.l2Gradient() ? gx * gx + gy * gy : Math.abs(gx) + Math.abs(gy);
                        if (c == 0 || m > magnitude[padded + x]) {
                            magnitude[padded + x] = m;
                            dx[offset + x] = (short) gx;
                            dy[offset + x] = (short) gy;
                        }
                    }
                }
            }
        }

        /** The aperture-3 column pass, unrolled: the hot loop of ControlNet's default Canny. */
        private void keepStrongest(int channel, boolean l2, int offset, int padded, int[][] dTaps, int[][] sTaps) {
            int[] d0 = dTaps[0];
            int[] d1 = dTaps[1];
            int[] d2 = dTaps[2];
            int[] s0 = sTaps[0];
            int[] s2 = sTaps[2];
            for (int x = 0; x < width; x++) {
                int gx = d0[x] + 2 * d1[x] + d2[x];
                int gy = s2[x] - s0[x];
                int m = l2 ? gx * gx + gy * gy : Math.abs(gx) + Math.abs(gy);
                if (channel == 0 || m > magnitude[padded + x]) {
                    magnitude[padded + x] = m;
                    dx[offset + x] = (short) gx;
                    dy[offset + x] = (short) gy;
                }
            }
        }

        private void readReplicated(RandomAccess<UnsignedByteType> in, RandomAccessibleInterval<UnsignedByteType> channel,
                int y, int[] line, int r) {
            in.setPosition(channel.min(0), 0);
            in.setPosition(channel.min(1) + y, 1);
            for (int x = 0; x < width; x++) {
                line[r + x] = in.get().get();
                in.fwd(0);
            }
            for (int i = 0; i < r; i++) {
                line[i] = line[r];
                line[r + width + i] = line[r + width - 1];
            }
        }

        private void rowPass(int[] line, int[] d, int[] s, int[] derivative, int[] smoothed) {
            if (d.length == 3) {
                for (int x = 0; x < width; x++) {
                    int a = line[x];
                    int b = line[x + 1];
                    int c = line[x + 2];
                    derivative[x] = c - a;
                    smoothed[x] = a + 2 * b + c;
                }
                return;
            }
            for (int x = 0; x < width; x++) {
                int sumD = 0;
                int sumS = 0;
                for (int k = 0; k < d.length; k++) {
                    sumD += d[k] * line[x + k];
                    sumS += s[k] * line[x + k];
                }
                derivative[x] = sumD;
                smoothed[x] = sumS;
            }
        }
    }

    /** {@code rint(v / 16)}: OpenCV scales aperture-7 Sobel sums by 1/16 when writing 16-bit results. */
    static int divideBy16RoundHalfEven(int v) {
        int q = Math.floorDiv(v, 16);
        int rest = v - 16 * q;
        if (rest > 8 || (rest == 8 && (q & 1) != 0)) {
            q++;
        }
        return q;
    }

    /** Marks, in the padded map {@code kept}, the local maxima above {@code low} as WEAK or STRONG. */
    private static void suppressNonMaxima(Gradients g, int low, int high, byte[] kept, int fromRow, int toRow) {
        int width = g.width;
        int stride = g.stride;
        int[] mag = g.magnitude;
        for (int y = fromRow; y < toRow; y++) {
            int row = (y + 1) * stride + 1;
            for (int x = 0; x < width; x++) {
                int i = row + x;
                int m = mag[i];
                if (m <= low) {
                    continue;
                }
                int gx = g.dx[y * width + x];
                int gy = g.dy[y * width + x];
                int ax = Math.abs(gx);
                int ay = Math.abs(gy) << 15;
                int tg22x = ax * TAN_22_5_Q15;
                boolean maximum;
                if (ay < tg22x) {
                    maximum = m > mag[i - 1] && m >= mag[i + 1];
                } else if (ay > tg22x + (ax << 16)) {
                    maximum = m > mag[i - stride] && m >= mag[i + stride];
                } else {
                    int step = (gx ^ gy) < 0 ? -1 : 1;
                    maximum = m > mag[i - stride - step] && m > mag[i + stride + step];
                }
                if (maximum) {
                    kept[i] = (byte) (m > high ? STRONG : WEAK);
                }
            }
        }
    }

    /** Turns every kept pixel 8-connected through kept pixels to a STRONG one into EDGE (padded map). */
    private static void hysteresis(byte[] kept, int stride) {
        int[] neighbours = {-stride - 1, -stride, -stride + 1, -1, 1, stride - 1, stride, stride + 1};
        int[] stack = new int[64];
        for (int start = 0; start < kept.length; start++) {
            if (kept[start] != STRONG) {
                continue;
            }
            kept[start] = EDGE;
            int top = 0;
            stack[top++] = start;
            while (top > 0) {
                int p = stack[--top];
                for (int offset : neighbours) {
                    int q = p + offset;
                    if (kept[q] == WEAK || kept[q] == STRONG) {
                        kept[q] = EDGE;
                        if (top == stack.length) {
                            stack = Arrays.copyOf(stack, 2 * top);
                        }
                        stack[top++] = q;
                    }
                }
            }
        }
    }
}
