package org.diffij.pipelines;

import org.diffij.image.RgbImage;

/**
 * Resolves the image sources a request names (init image, mask, control images) to pixels: file
 * paths on the command line, window titles in Fiji.
 */
@FunctionalInterface
public interface ImageSources {

    /** The image named {@code source}; throws {@link org.diffij.DiffijException} when there is none. */
    RgbImage image(String source);
}
