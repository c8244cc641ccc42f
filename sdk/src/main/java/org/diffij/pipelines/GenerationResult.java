package org.diffij.pipelines;

import java.util.List;
import org.diffij.image.RgbImage;

/**
 * What a generation made: the images, the full request that reproduces them (model hash filled in),
 * how long it took, and notes for the user (one line each: the embeddings the prompt called). {@link #parameters(int)} is the A1111 text recorded on each saved image: what
 * reproduces that image, its batch position included.
 */
public record GenerationResult(GenerationRequest request, List<RgbImage> images, double seconds, String version,
        List<String> notes) {

    public GenerationResult {
        images = List.copyOf(images);
        notes = List.copyOf(notes);
    }

    /** The parameters text of the whole request. */
    public String parameters() {
        return Infotext.format(request, version);
    }

    /** The request that reproduces image {@code index} (0-based) exactly, alone. */
    public GenerationRequest imageRequest(int index) {
        return images.size() == 1 ? request : request.forImage(index);
    }

    /** The parameters text of image {@code index} (0-based): its own seed and batch position. */
    public String parameters(int index) {
        return Infotext.format(imageRequest(index), version);
    }
}
