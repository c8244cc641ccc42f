package org.diffij.plugin;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.converter.Converters;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.view.Views;
import org.diffij.DiffijException;

/**
 * ImageJ 1 images as ImgLib2 views and back. Wrapping never copies: the ImgLib2 image reads and
 * writes the processor's own pixel array (x = column, y = row); an RGB processor appears as an
 * (x, y, 3) view of its R, G, B bytes; a z-stack as a 3-D view of its slices.
 */
public final class ImgLibBridge {

    private ImgLibBridge() {
    }

    /** A gray processor (8, 16 or 32 bit) as a 2-D view of its pixels. */
    public static RandomAccessibleInterval<? extends RealType<?>> gray(ImageProcessor ip) {
        int w = ip.getWidth();
        int h = ip.getHeight();
        if (ip instanceof ByteProcessor) {
            return ArrayImgs.unsignedBytes((byte[]) ip.getPixels(), w, h);
        }
        if (ip instanceof ShortProcessor) {
            return ArrayImgs.unsignedShorts((short[]) ip.getPixels(), w, h);
        }
        if (ip instanceof FloatProcessor) {
            return ArrayImgs.floats((float[]) ip.getPixels(), w, h);
        }
        throw new DiffijException("this command needs a gray image (8, 16 or 32 bit), not RGB");
    }

    /** An 8-bit processor as a 2-D view of its pixels. */
    public static RandomAccessibleInterval<UnsignedByteType> bytes(ByteProcessor ip) {
        return ArrayImgs.unsignedBytes((byte[]) ip.getPixels(), ip.getWidth(), ip.getHeight());
    }

    /** A 16-bit processor as a 2-D view of its pixels. */
    public static RandomAccessibleInterval<UnsignedShortType> shorts(ShortProcessor ip) {
        return ArrayImgs.unsignedShorts((short[]) ip.getPixels(), ip.getWidth(), ip.getHeight());
    }

    /** An RGB processor as an (x, y, 3) view of its red, green and blue bytes. */
    public static RandomAccessibleInterval<UnsignedByteType> rgb(ColorProcessor ip) {
        return Converters.argbChannels(ArrayImgs.argbs((int[]) ip.getPixels(), ip.getWidth(), ip.getHeight()), 1, 2, 3);
    }

    /** The z slices of the image at its current channel and frame, as an (x, y, z) view. */
    public static RandomAccessibleInterval<? extends RealType<?>> zStack(ImagePlus imp) {
        return switch (imp.getBitDepth()) {
            case 8 -> zStack(imp, ip -> bytes((ByteProcessor) ip));
            case 16 -> zStack(imp, ip -> shorts((ShortProcessor) ip));
            case 32 -> zStack(imp, ip -> ArrayImgs.floats((float[]) ip.getPixels(), ip.getWidth(), ip.getHeight()));
            default -> throw new DiffijException("this command needs a gray stack (8, 16 or 32 bit), not RGB");
        };
    }

    private static <T> RandomAccessibleInterval<T> zStack(ImagePlus imp,
            Function<ImageProcessor, RandomAccessibleInterval<T>> wrap) {
        ImageStack stack = imp.getStack();
        List<RandomAccessibleInterval<T>> slices = new ArrayList<>();
        for (int z = 1; z <= imp.getNSlices(); z++) {
            slices.add(wrap.apply(stack.getProcessor(imp.getStackIndex(imp.getChannel(), z, imp.getFrame()))));
        }
        return Views.stack(slices);
    }

    /**
     * A new processor with the values of a 2-D image (8-bit for {@code UnsignedByteType}, else
     * 32-bit float), or an RGB processor for an (x, y, 3) 8-bit image.
     */
    public static ImageProcessor processor(RandomAccessibleInterval<? extends RealType<?>> image) {
        int w = (int) image.dimension(0);
        int h = (int) image.dimension(1);
        if (image.numDimensions() == 3) {
            if (image.dimension(2) != 3) {
                throw new DiffijException("can only show (x, y, 3) colour images, got " + image.dimension(2)
                        + " channels");
            }
            int[] packed = new int[w * h];
            for (int c = 0; c < 3; c++) {
                int shift = 16 - 8 * c;
                Cursor<? extends RealType<?>> cursor = Views.flatIterable(Views.hyperSlice(image, 2, image.min(2) + c))
                        .cursor();
                for (int i = 0; i < packed.length; i++) {
                    packed[i] |= ((int) cursor.next().getRealDouble() & 0xff) << shift;
                }
            }
            return new ColorProcessor(w, h, packed);
        }
        Cursor<? extends RealType<?>> cursor = Views.flatIterable(image).cursor();
        if (image.getType() instanceof UnsignedByteType) {
            byte[] pixels = new byte[w * h];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (byte) (int) cursor.next().getRealDouble();
            }
            return new ByteProcessor(w, h, pixels);
        }
        float[] pixels = new float[w * h];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = cursor.next().getRealFloat();
        }
        return new FloatProcessor(w, h, pixels);
    }
}
