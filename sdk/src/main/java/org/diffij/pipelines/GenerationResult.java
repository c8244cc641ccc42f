package org.diffij.pipelines;

import java.util.List;
import org.diffij.image.RgbImage;

/**
 * What a generation made: the images, the full request that reproduces them (model hash filled in),
 * and how long it took. {@link #parameters()} is the A1111 text recorded on every saved image.
 */
public record GenerationResult(GenerationRequest request, List<RgbImage> images, double seconds, String version) {

    public GenerationResult {
        images = List.copyOf(images);
    }

    public String parameters() {
        return Infotext.format(request, version);
    }
}
