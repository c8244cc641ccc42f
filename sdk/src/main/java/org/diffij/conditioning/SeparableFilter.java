package org.diffij.conditioning;

import java.util.Arrays;
import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;
import org.diffij.DiffijException;

/**
 * A separable 2-D correlation as OpenCV's {@code sepFilter2D} computes it: one odd-length kernel
 * along x (columns), one along y (rows), both anchored at their centre, with a {@link Border} rule
 * for reads outside the image. Sums are accumulated in float64 and stored in the output's type.
 * The input is read row by row through its own accessors, never copied as a whole.
 */
public final class SeparableFilter {

    private final double[] alongX;
    private final double[] alongY;
    private final Border border;

    public SeparableFilter(double[] alongX, double[] alongY, Border border) {
        if (alongX.length % 2 == 0 || alongY.length % 2 == 0) {
            throw new DiffijException("separable kernels need odd lengths, got " + alongX.length + " and "
                    + alongY.length);
        }
        this.alongX = alongX.clone();
        this.alongY = alongY.clone();
        this.border = border;
    }

    /**
     * {@code cv2.GaussianBlur(image, (0, 0), sigma)} of a float image: {@code round(8 sigma + 1) | 1}
     * taps (OpenCV's size rule for non-8-bit data) with weights {@code exp(-x^2 / (2 sigma^2))}
     * normalised in float64 and used as float32, the same along x and y, border reflect-101.
     */
    public static SeparableFilter gaussian(double sigma) {
        double[] kernel = gaussianKernel(sigma);
        return new SeparableFilter(kernel, kernel, Border.REFLECT_101);
    }

    /** The Gaussian's taps, see {@link #gaussian(double)}. */
    public static double[] gaussianKernel(double sigma) {
        if (!(sigma > 0) || sigma > 1000) {
            throw new DiffijException("Gaussian sigma must be in (0, 1000] pixels, got " + sigma);
        }
        int size = ((int) Math.rint(8 * sigma + 1)) | 1;
        double[] weights = new double[size];
        double sum = 0;
        for (int i = 0; i < size; i++) {
            double x = i - (size - 1) * 0.5;
            weights[i] = Math.exp(-x * x / (2 * sigma * sigma));
            sum += weights[i];
        }
        for (int i = 0; i < size; i++) {
            weights[i] = (float) (weights[i] / sum);
        }
        return weights;
    }

    /**
     * {@code cv2.Sobel(image, CV_32F, dx, dy, aperture, scale)} for a first derivative along x
     * ({@code alongX = true}) or y, border reflect-101: the derivative kernel along that axis, the
     * smoothing kernel across it, times {@code scale}.
     */
    public static SeparableFilter sobel(boolean alongXAxis, int aperture, double scale) {
        double[] derivative = scaled(SobelKernels.derivative(aperture), scale);
        double[] smoothing = scaled(SobelKernels.smoothing(aperture), 1);
        return alongXAxis ? new SeparableFilter(derivative, smoothing, Border.REFLECT_101)
                : new SeparableFilter(smoothing, derivative, Border.REFLECT_101);
    }

    private static double[] scaled(int[] kernel, double scale) {
        double[] out = new double[kernel.length];
        for (int i = 0; i < kernel.length; i++) {
            out[i] = kernel[i] * scale;
        }
        return out;
    }

    /** The filtered image as a new float32 image of the input's size. */
    public ArrayImg<FloatType, FloatArray> apply(RandomAccessibleInterval<? extends RealType<?>> image) {
        Planes.requirePlane(image, "image");
        ArrayImg<FloatType, FloatArray> out = ArrayImgs.floats(image.dimension(0), image.dimension(1));
        apply(image, out);
        return out;
    }

    /** Filters {@code image} into {@code output}, an interval of the same size. */
    public void apply(RandomAccessibleInterval<? extends RealType<?>> image,
            RandomAccessibleInterval<? extends RealType<?>> output) {
        Planes.requirePlane(image, "image");
        Planes.requireSameSize(image, output);
        int width = Planes.width(image);
        int height = Planes.height(image);
        Stripes.forEach(height, width, (fromRow, toRow) -> filterRows(image, output, width, height, fromRow, toRow));
    }

    private void filterRows(RandomAccessibleInterval<? extends RealType<?>> image,
            RandomAccessibleInterval<? extends RealType<?>> output, int width, int height, int fromRow, int toRow) {
        int rx = alongX.length / 2;
        int ry = alongY.length / 2;
        int firstSource = Math.max(0, fromRow - ry);
        int lastSource = Math.min(height - 1, toRow - 1 + ry);
        double[][] rowPass = new double[lastSource - firstSource + 1][width];
        double[] line = new double[width];
        double[] padded = new double[width + 2 * rx];
        RandomAccess<? extends RealType<?>> in = image.randomAccess();
        for (int y = firstSource; y <= lastSource; y++) {
            Planes.readRow(in, image, y, line);
            System.arraycopy(line, 0, padded, rx, width);
            for (int i = 0; i < rx; i++) {
                padded[i] = line[border.index(i - rx, width)];
                padded[rx + width + i] = line[border.index(width + i, width)];
            }
            double[] target = rowPass[y - firstSource];
            for (int k = 0; k < alongX.length; k++) {
                double weight = alongX[k];
                for (int x = 0; x < width; x++) {
                    target[x] += weight * padded[x + k];
                }
            }
        }
        RandomAccess<? extends RealType<?>> out = output.randomAccess();
        double[] sums = new double[width];
        for (int y = fromRow; y < toRow; y++) {
            Arrays.fill(sums, 0);
            for (int k = 0; k < alongY.length; k++) {
                double weight = alongY[k];
                double[] tap = rowPass[border.index(y + k - ry, height) - firstSource];
                for (int x = 0; x < width; x++) {
                    sums[x] += weight * tap[x];
                }
            }
            out.setPosition(output.min(0), 0);
            out.setPosition(output.min(1) + y, 1);
            for (int x = 0; x < width; x++) {
                out.get().setReal(sums[x]);
                out.fwd(0);
            }
        }
    }
}
