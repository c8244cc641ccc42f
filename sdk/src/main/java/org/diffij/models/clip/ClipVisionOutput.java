package org.diffij.models.clip;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.diffij.DiffijException;

/**
 * What a CLIP vision tower computes for a batch of images: every hidden state (index 0 is the
 * pre-layernormed embeddings, index i the output of layer i), the last hidden state (not
 * post-normed, as transformers returns it) and {@code image_embeds} (the projected, post-normed
 * class token).
 */
public record ClipVisionOutput(List<NDArray> hiddenStates, NDArray lastHiddenState, NDArray imageEmbeds) {

    /** {@code hidden_states[index]}; negative indices count from the end. */
    public NDArray hiddenState(int index) {
        int i = index < 0 ? hiddenStates.size() + index : index;
        if (i < 0 || i >= hiddenStates.size()) {
            throw new DiffijException("hidden state " + index + " does not exist: the image encoder has "
                    + (hiddenStates.size() - 1) + " layers");
        }
        return hiddenStates.get(i);
    }
}
