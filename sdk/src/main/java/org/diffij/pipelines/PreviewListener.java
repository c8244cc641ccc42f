package org.diffij.pipelines;

import org.diffij.image.RgbImage;

/**
 * Receives a {@link LatentPreview} of the first image of the batch after every denoising step (for
 * a live view); called on the engine's worker thread, so it should hand the image over and return.
 */
@FunctionalInterface
public interface PreviewListener {

    void preview(int step, int steps, RgbImage preview);
}
