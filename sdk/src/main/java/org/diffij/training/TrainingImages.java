package org.diffij.training;

import java.awt.Dimension;
import java.nio.file.Path;
import java.util.List;
import org.diffij.DiffijException;
import org.diffij.image.ImageFiles;
import org.diffij.io.ModelHash;

/**
 * Training images as {@link ImageFiles} reads them (8-bit RGB, 16/32-bit min-max normalised per
 * page, every page of a multi-page TIFF an image), with the training data's own rule that every
 * page covers at least one latent pixel.
 */
public final class TrainingImages {

    /** The smallest side accepted: one latent pixel. */
    public static final int MIN_SIDE = 8;

    private TrainingImages() {
    }

    /** The number of pages (images) in a file; fails with a message naming the file when it is not an image. */
    public static int pageCount(Path file) {
        List<Dimension> sizes = ImageFiles.pageSizes(file);
        int pages = sizes.size();
        for (int page = 0; page < pages; page++) {
            Dimension size = sizes.get(page);
            if (size.width < MIN_SIDE || size.height < MIN_SIDE) {
                throw new DiffijException(ImageFiles.label(file, page, pages) + ": the image is " + size.width
                        + "x" + size.height + ", smaller than " + MIN_SIDE + "x" + MIN_SIDE
                        + "; remove it from the training data");
            }
        }
        return pages;
    }

    /** SHA-256 (hex) of a page's pixels as bytes R, G, B per pixel, row by row: the pixels trained on. */
    public static String pixelHash(ImageFiles.Page page) {
        byte[] bytes = new byte[3 * page.rgb().length];
        for (int i = 0; i < page.rgb().length; i++) {
            bytes[3 * i] = (byte) (page.rgb()[i] >> 16);
            bytes[3 * i + 1] = (byte) (page.rgb()[i] >> 8);
            bytes[3 * i + 2] = (byte) page.rgb()[i];
        }
        return ModelHash.ofBytes(bytes);
    }
}
