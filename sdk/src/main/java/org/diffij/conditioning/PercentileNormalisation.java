package org.diffij.conditioning;

import java.util.Arrays;
import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.view.Views;
import org.diffij.DiffijException;

/**
 * Maps a scientific image (16-bit, 32-bit, any real type) to 8 bits before an 8-bit preprocessor
 * such as Canny: values at or below the 0.5th percentile become 0, at or above the 99.5th become
 * 255, linear in between, rounded half to even. Percentiles interpolate linearly between order
 * statistics exactly as {@code numpy.percentile} does; an image whose two percentiles coincide maps
 * to 0 everywhere. NaN pixels are refused.
 */
public final class PercentileNormalisation {

    public static final double DEFAULT_LOW_PERCENT = 0.5;
    public static final double DEFAULT_HIGH_PERCENT = 99.5;

    private final double lowPercent;
    private final double highPercent;

    public PercentileNormalisation(double lowPercent, double highPercent) {
        if (!(lowPercent >= 0 && lowPercent < highPercent && highPercent <= 100)) {
            throw new DiffijException("percentiles must satisfy 0 <= low < high <= 100, got " + lowPercent
                    + " and " + highPercent);
        }
        this.lowPercent = lowPercent;
        this.highPercent = highPercent;
    }

    public static PercentileNormalisation standard() {
        return new PercentileNormalisation(DEFAULT_LOW_PERCENT, DEFAULT_HIGH_PERCENT);
    }

    /** The value range that maps to [0, 255]. */
    public record Range(double low, double high) {
    }

    public Range range(RandomAccessibleInterval<? extends RealType<?>> image) {
        double[] sorted = values(image);
        Arrays.sort(sorted);
        return new Range(percentile(sorted, lowPercent), percentile(sorted, highPercent));
    }

    /** The 8-bit image of a 2-D image, by {@link #range}. */
    public Img<UnsignedByteType> toUnsignedBytes(RandomAccessibleInterval<? extends RealType<?>> image) {
        Planes.requirePlane(image, "image");
        Range range = range(image);
        int width = Planes.width(image);
        int height = Planes.height(image);
        byte[] out = new byte[width * height];
        if (range.high() > range.low()) {
            double span = range.high() - range.low();
            Stripes.forEach(height, width, (from, to) -> {
                RandomAccess<? extends RealType<?>> in = image.randomAccess();
                double[] line = new double[width];
                for (int y = from; y < to; y++) {
                    Planes.readRow(in, image, y, line);
                    for (int x = 0; x < width; x++) {
                        double clipped = Math.min(Math.max(line[x], range.low()), range.high());
                        out[y * width + x] = (byte) (int) Math.rint((clipped - range.low()) / span * 255.0);
                    }
                }
            });
        }
        return ArrayImgs.unsignedBytes(out, width, height);
    }

    private static double[] values(RandomAccessibleInterval<? extends RealType<?>> image) {
        long n = 1;
        for (int d = 0; d < image.numDimensions(); d++) {
            n *= image.dimension(d);
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new DiffijException("image of " + n + " pixels is too large to normalise");
        }
        double[] values = new double[(int) n];
        int i = 0;
        for (RealType<?> t : Views.flatIterable(image)) {
            double v = t.getRealDouble();
            if (Double.isNaN(v)) {
                throw new DiffijException("the image contains NaN pixels; replace them before normalising to 8 bit");
            }
            values[i++] = v;
        }
        return values;
    }

    /** {@code numpy.percentile(values, percent)} with the default 'linear' method (numpy 1.24). */
    static double percentile(double[] sorted, double percent) {
        int n = sorted.length;
        double index = (n - 1) * (percent / 100.0);
        int i0 = (int) Math.floor(index);
        double g = index - i0;
        int i1 = Math.min(i0 + 1, n - 1);
        double d = sorted[i1] - sorted[i0];
        return g >= 0.5 ? sorted[i1] - d * (1 - g) : sorted[i0] + d * g;
    }
}
