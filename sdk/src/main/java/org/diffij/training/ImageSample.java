package org.diffij.training;

import org.diffij.DiffijException;
import org.diffij.image.ImageFiles;

/**
 * One training image given in memory rather than as a file (a slice of an open stack, an ROI's crop):
 * its 8-bit RGB pixels, its caption and an optional loss mask, and where it came from, which the
 * trained file's provenance records.
 *
 * @param source   what the samples were taken from, such as a window title; kohya's dataset "folder"
 * @param name     this sample's name, unique among the run's samples (e.g. {@code blobs slice 3})
 * @param caption  its own caption: the template's {@code [filewords]}, or the whole caption without template
 * @param image    the pixels, at their own size (framed to the training size like a file's)
 * @param mask     grey values 0..255 per pixel of {@code image} (255 = the loss counts), or null for everywhere
 * @param geometry how the pixels were cut from the source (slice, ROI bounds and shape), empty for none
 */
public record ImageSample(String source, String name, String caption, ImageFiles.Page image, int[] mask,
        String geometry) {

    public ImageSample {
        source = source == null ? "" : source;
        caption = caption == null ? "" : caption.strip();
        geometry = geometry == null ? "" : geometry;
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a training sample needs a name");
        }
        if (image.width() < TrainingImages.MIN_SIDE || image.height() < TrainingImages.MIN_SIDE) {
            throw new DiffijException(name + ": the image is " + image.width() + "x" + image.height()
                    + ", smaller than " + TrainingImages.MIN_SIDE + "x" + TrainingImages.MIN_SIDE
                    + "; leave it out of the training data");
        }
        if (mask != null) {
            if (mask.length != image.rgb().length) {
                throw new IllegalArgumentException(name + ": the mask has " + mask.length + " values for "
                        + image.rgb().length + " pixels");
            }
            boolean any = false;
            for (int value : mask) {
                any |= value > 0;
            }
            if (!any) {
                throw new DiffijException(name + ": the loss mask is empty, so nothing of it would be trained; "
                        + "draw the area to learn or train without a mask");
            }
        }
    }
}
