package org.diffij.conditioning;

import java.util.ArrayList;
import java.util.List;
import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgFactory;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.DoubleArray;
import net.imglib2.type.NativeType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.DoubleType;
import net.imglib2.view.Views;
import org.diffij.DiffijException;

/**
 * The one rule by which every conditioning command brings its map to the generation size.
 *
 * <p><b>Size.</b> For a W x H map and a target long side L: the longer side becomes L, the shorter
 * side is scaled by the same factor and rounded to the nearest multiple of {@code multiple} (64 by
 * default, which every Stable Diffusion UNet accepts; 8 is the VAE's minimum), at least one
 * multiple. L itself must be a multiple of {@code multiple}.
 *
 * <p><b>FIT</b> resamples the whole map to that size (the short side is stretched by at most half
 * a multiple). <b>CROP</b> scales uniformly until the map covers that size and cuts the excess
 * equally from both ends of the longer direction.
 *
 * <p>Resampling maps pixel centres to pixel centres; LINEAR interpolates (after a Gaussian
 * anti-aliasing blur of sigma {@code 0.5 / scale} when shrinking), NEAREST copies the nearest
 * pixel (for label images and binary maps). Borders replicate; values are interpolated in float64
 * and rounded half up when the image holds integers. Only the two first axes (x, y) are
 * resampled; a third axis (channels) is kept.
 */
public final class ModelResize {

    public static final int DEFAULT_MULTIPLE = 64;

    public enum Mode { FIT, CROP }

    public enum Interpolation { LINEAR, NEAREST }

    /** A generation size in pixels. */
    public record Size(int width, int height) {
    }

    private final int longSide;
    private final int multiple;
    private final Mode mode;

    public ModelResize(int longSide, int multiple, Mode mode) {
        if (multiple != 8 && multiple != 64) {
            throw new DiffijException("sizes must be multiples of 8 or 64, got " + multiple);
        }
        if (longSide < multiple || longSide > 8192 || longSide % multiple != 0) {
            throw new DiffijException("the generation size " + longSide + " must be a multiple of " + multiple
                    + " between " + multiple + " and 8192, e.g. 512 for SD 1.5 or 1024 for SDXL");
        }
        this.longSide = longSide;
        this.multiple = multiple;
        this.mode = mode;
    }

    /** The generation size for a map of the given size. */
    public Size sizeFor(long width, long height) {
        if (width < 1 || height < 1) {
            throw new DiffijException("cannot resize an empty image (" + width + " x " + height + ")");
        }
        double scale = (double) longSide / Math.max(width, height);
        int shortSide = (int) Math.max(multiple, Math.round(Math.min(width, height) * scale / multiple) * multiple);
        return width >= height ? new Size(longSide, shortSide) : new Size(shortSide, longSide);
    }

    /** How much a map of the given size is magnified along x and y (equal for CROP). */
    public record Scale(double x, double y) {
    }

    public Scale scaleFor(long width, long height) {
        Size size = sizeFor(width, height);
        double x = (double) size.width() / width;
        double y = (double) size.height() / height;
        if (mode == Mode.CROP) {
            double cover = Math.max(x, y);
            return new Scale(cover, cover);
        }
        return new Scale(x, y);
    }

    /** The map resampled to {@link #sizeFor} its size by this rule; a new image of the input's type. */
    public <T extends RealType<T> & NativeType<T>> Img<T> apply(RandomAccessibleInterval<T> image,
            Interpolation interpolation) {
        if (image.numDimensions() != 2 && image.numDimensions() != 3) {
            throw new DiffijException("can resize 2-D images or (x, y, channel) stacks, got "
                    + image.numDimensions() + " dimensions");
        }
        Size size = sizeFor(image.dimension(0), image.dimension(1));
        Scale scale = scaleFor(image.dimension(0), image.dimension(1));
        double scaleX = scale.x();
        double scaleY = scale.y();
        double offsetX = (image.dimension(0) * scaleX - size.width()) / 2;
        double offsetY = (image.dimension(1) * scaleY - size.height()) / 2;
        long[] dims = image.numDimensions() == 2 ? new long[] {size.width(), size.height()}
                : new long[] {size.width(), size.height(), image.dimension(2)};
        T type = image.getType().createVariable();
        Img<T> out = new ArrayImgFactory<>(type).create(dims);
        List<RandomAccessibleInterval<T>> sources = new ArrayList<>();
        List<RandomAccessibleInterval<T>> targets = new ArrayList<>();
        if (image.numDimensions() == 2) {
            sources.add(image);
            targets.add(out);
        } else {
            for (long c = 0; c < image.dimension(2); c++) {
                sources.add(Views.hyperSlice(image, 2, image.min(2) + c));
                targets.add(Views.hyperSlice(out, 2, c));
            }
        }
        for (int c = 0; c < sources.size(); c++) {
            resample(sources.get(c), targets.get(c), scaleX, scaleY, offsetX, offsetY, interpolation);
        }
        return out;
    }

    private static <T extends RealType<T> & NativeType<T>> void resample(RandomAccessibleInterval<T> source,
            RandomAccessibleInterval<T> target, double scaleX, double scaleY, double offsetX, double offsetY,
            Interpolation interpolation) {
        int sourceWidth = (int) source.dimension(0);
        int sourceHeight = (int) source.dimension(1);
        double[] values = new double[sourceWidth * sourceHeight];
        ArrayImg<DoubleType, DoubleArray> prepared = ArrayImgs.doubles(values, sourceWidth, sourceHeight);
        if (interpolation == Interpolation.LINEAR && Math.min(scaleX, scaleY) < 1) {
            new SeparableFilter(antiAliasing(scaleX), antiAliasing(scaleY), Border.REPLICATE).apply(source, prepared);
        } else {
            RandomAccess<T> in = source.randomAccess();
            double[] line = new double[sourceWidth];
            for (int y = 0; y < sourceHeight; y++) {
                Planes.readRow(in, source, y, line);
                System.arraycopy(line, 0, values, y * sourceWidth, sourceWidth);
            }
        }
        int width = (int) target.dimension(0);
        RandomAccessibleInterval<T> out = Views.zeroMin(target);
        Stripes.forEach((int) target.dimension(1), width, (fromRow, toRow) -> {
            RandomAccess<T> write = out.randomAccess();
            for (int y = fromRow; y < toRow; y++) {
                double sy = (y + 0.5 + offsetY) / scaleY - 0.5;
                write.setPosition(0, 0);
                write.setPosition(y, 1);
                for (int x = 0; x < width; x++) {
                    double sx = (x + 0.5 + offsetX) / scaleX - 0.5;
                    double value = interpolation == Interpolation.NEAREST
                            ? values[clamp(Math.floor(sy + 0.5), sourceHeight) * sourceWidth
                                    + clamp(Math.floor(sx + 0.5), sourceWidth)]
                            : bilinear(values, sourceWidth, sourceHeight, sx, sy);
                    write.get().setReal(value);
                    write.fwd(0);
                }
            }
        });
    }

    private static double bilinear(double[] values, int width, int height, double sx, double sy) {
        double fx = Math.floor(sx);
        double fy = Math.floor(sy);
        double tx = sx - fx;
        double ty = sy - fy;
        int x0 = clamp(fx, width);
        int x1 = clamp(fx + 1, width);
        int y0 = clamp(fy, height);
        int y1 = clamp(fy + 1, height);
        double top = values[y0 * width + x0] * (1 - tx) + values[y0 * width + x1] * tx;
        double bottom = values[y1 * width + x0] * (1 - tx) + values[y1 * width + x1] * tx;
        return top * (1 - ty) + bottom * ty;
    }

    private static int clamp(double index, int length) {
        return (int) Math.min(Math.max(index, 0), length - 1);
    }

    private static double[] antiAliasing(double scale) {
        return scale < 1 ? SeparableFilter.gaussianKernel(0.5 / scale) : new double[] {1};
    }
}
