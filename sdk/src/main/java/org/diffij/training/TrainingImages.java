package org.diffij.training;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.diffij.DiffijException;

/**
 * Reads training images (PNG, JPEG, TIFF incl. multi-page stacks, BMP, GIF) as 8-bit RGB, the
 * pixels every reference trainer feeds the VAE. Normalisation: 8-bit (and lower) samples as they
 * are; 16-bit and 32-bit integer and float samples min-max over the whole page, all channels
 * together, to 0..255 (a constant page becomes black); one channel is grey, a second or fourth
 * channel (alpha) is dropped, palettes are resolved.
 */
public final class TrainingImages {

    /** The smallest side accepted: one latent pixel. */
    public static final int MIN_SIDE = 8;

    /** One page of an image file: size and packed 0xRRGGBB pixels. */
    public record Page(int width, int height, int[] rgb) {
    }

    private TrainingImages() {
    }

    /** The number of pages (images) in a file; fails with a message naming the file when it is not an image. */
    public static int pageCount(Path file) {
        return withReader(file, reader -> {
            int pages = reader.getNumImages(true);
            for (int page = 0; page < pages; page++) {
                int width = reader.getWidth(page);
                int height = reader.getHeight(page);
                if (width < MIN_SIDE || height < MIN_SIDE) {
                    throw new DiffijException(label(file, page, pages) + ": the image is " + width + "x" + height
                            + ", smaller than " + MIN_SIDE + "x" + MIN_SIDE + "; remove it from the training data");
                }
            }
            return pages;
        });
    }

    /** One page as 8-bit RGB. */
    public static Page read(Path file, int page) {
        BufferedImage image = withReader(file, reader -> reader.read(page));
        return new Page(image.getWidth(), image.getHeight(), toRgb(image));
    }

    /** SHA-256 (hex) of a page's pixels as bytes R, G, B per pixel, row by row: the pixels trained on. */
    public static String pixelHash(Page page) {
        byte[] bytes = new byte[3 * page.rgb().length];
        for (int i = 0; i < page.rgb().length; i++) {
            bytes[3 * i] = (byte) (page.rgb()[i] >> 16);
            bytes[3 * i + 1] = (byte) (page.rgb()[i] >> 8);
            bytes[3 * i + 2] = (byte) page.rgb()[i];
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String label(Path file, int page, int pages) {
        return pages > 1 ? file + " (page " + (page + 1) + " of " + pages + ")" : file.toString();
    }

    private interface ReaderJob<T> {
        T run(ImageReader reader) throws IOException;
    }

    private static <T> T withReader(Path file, ReaderJob<T> job) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new DiffijException(file + ": cannot be opened");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new DiffijException(file + ": not an image Java can read (use PNG, JPEG or TIFF)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, false, true);
                return job.run(reader);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof DiffijException d) {
                throw d;
            }
            throw new DiffijException(file + ": cannot be read as an image (" + e.getMessage() + ")", e);
        }
    }

    private static int[] toRgb(BufferedImage image) {
        Raster raster = image.getRaster();
        int width = image.getWidth();
        int height = image.getHeight();
        int bands = raster.getNumBands();
        int bits = raster.getSampleModel().getSampleSize(0);
        int type = raster.getDataBuffer().getDataType();
        boolean wide = type == DataBuffer.TYPE_FLOAT || type == DataBuffer.TYPE_DOUBLE || bits > 8;
        if (image.getColorModel() instanceof IndexColorModel || !wide && bands != 1 && bands != 2) {
            return image.getRGB(0, 0, width, height, null, 0, width);
        }
        int colours = bands >= 3 ? 3 : 1;
        double[] samples = raster.getPixels(0, 0, width, height, (double[]) null);
        double low;
        double scale;
        if (wide) {
            low = Double.POSITIVE_INFINITY;
            double high = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < width * height; i++) {
                for (int c = 0; c < colours; c++) {
                    double v = samples[i * bands + c];
                    if (Double.isFinite(v)) {
                        low = Math.min(low, v);
                        high = Math.max(high, v);
                    }
                }
            }
            scale = high > low ? 255 / (high - low) : 0;
        } else {
            low = 0;
            scale = 255.0 / ((1 << bits) - 1);
        }
        int[] packed = new int[width * height];
        for (int i = 0; i < packed.length; i++) {
            int rgb = 0;
            for (int c = 0; c < 3; c++) {
                double v = samples[i * bands + (colours == 3 ? c : 0)];
                int byteValue = Double.isFinite(v) ? (int) Math.round(Math.max(0, Math.min(255, (v - low) * scale))) : 0;
                rgb = (rgb << 8) | byteValue;
            }
            packed[i] = rgb;
        }
        return packed;
    }
}
