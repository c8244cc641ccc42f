package org.diffij.image;

import java.awt.Dimension;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.diffij.DiffijException;
import org.diffij.io.InputFiles;

/**
 * Reads image files (PNG, JPEG, TIFF incl. multi-page stacks, BMP, GIF) as 8-bit RGB, the one place
 * where images from disk enter: init images, masks, control and IP-Adapter images, training data.
 * The path must be a regular file, and each page's size is read from the header and checked
 * against {@link #MAX_PIXELS} before any pixel is decoded. Normalisation: 8-bit (and lower)
 * samples as they are; 16-bit and 32-bit integer and float samples min-max over the whole page,
 * all channels together, to 0..255 (a constant page becomes black, non-finite samples black); one
 * channel is grey, a second or fourth channel (alpha) is dropped, palettes are resolved.
 */
public final class ImageFiles {

    /** Pixels per page: 32 megapixels, e.g. 8192x4096; decoding one takes about 1 GB of Java memory. */
    public static final long MAX_PIXELS = 1L << 25;

    /** One page of an image file: size and packed 0xRRGGBB pixels. */
    public record Page(int width, int height, int[] rgb) {
    }

    private ImageFiles() {
    }

    /** The size of every page (image) in a file, from the headers, each checked against {@link #MAX_PIXELS}. */
    public static List<Dimension> pageSizes(Path file) {
        return withReader(file, reader -> {
            int pages = reader.getNumImages(true);
            if (pages < 1) {
                throw new DiffijException(file + ": holds no image");
            }
            List<Dimension> sizes = new ArrayList<>();
            for (int page = 0; page < pages; page++) {
                checkSize(file, page, pages, reader);
                sizes.add(new Dimension(reader.getWidth(page), reader.getHeight(page)));
            }
            return sizes;
        });
    }

    /** One page as 8-bit RGB. */
    public static Page read(Path file, int page) {
        return withReader(file, reader -> {
            checkSize(file, page, Math.max(page + 1, reader.getNumImages(false)), reader);
            BufferedImage image = reader.read(page);
            return new Page(image.getWidth(), image.getHeight(), toRgb(image));
        });
    }

    /** The first page as an {@link RgbImage}. */
    public static RgbImage readRgb(Path file) {
        Page page = read(file, 0);
        return RgbImage.fromPackedRgb(page.width(), page.height(), page.rgb());
    }

    /** A file and page for messages: the file alone when it has one page. */
    public static String label(Path file, int page, int pages) {
        return pages > 1 ? file + " (page " + (page + 1) + " of " + pages + ")" : file.toString();
    }

    private static void checkSize(Path file, int page, int pages, ImageReader reader) throws IOException {
        long width = reader.getWidth(page);
        long height = reader.getHeight(page);
        if (width < 1 || height < 1) {
            throw new DiffijException(label(file, page, pages) + ": the header gives the size " + width + "x" + height
                    + "; the file is corrupt");
        }
        if (width * height > MAX_PIXELS) {
            throw new DiffijException(label(file, page, pages) + ": the header gives " + width + "x" + height + " = "
                    + width * height / 1_000_000 + " megapixels; at most " + MAX_PIXELS + " pixels (32 megapixels) "
                    + "are read: scale the image down first");
        }
    }

    private interface ReaderJob<T> {
        T run(ImageReader reader) throws IOException;
    }

    private static <T> T withReader(Path file, ReaderJob<T> job) {
        InputFiles.requireFile(file);
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new DiffijException(file + ": cannot be opened");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new DiffijException(file + ": not an image format Java can read (use PNG, JPEG, TIFF, BMP or GIF)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, false, true);
                return job.run(reader);
            } finally {
                reader.dispose();
            }
        } catch (DiffijException e) {
            throw e;
        } catch (IOException e) {
            throw new DiffijException(InputFiles.describe(file, e), e);
        } catch (RuntimeException e) {
            // ImageIO's decoders signal corrupt data with unchecked exceptions of every kind.
            throw new DiffijException(file + ": the image data is corrupt or uses a variant Java cannot decode"
                    + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")") + "; re-save it as PNG", e);
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
