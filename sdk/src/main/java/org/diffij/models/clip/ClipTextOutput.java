package org.diffij.models.clip;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.function.UnaryOperator;
import org.diffij.DiffijException;

/**
 * What a CLIP text encoder computes for a batch: every hidden state (index 0 is the embedding
 * output, index i the output of layer i, as transformers' {@code hidden_states}), the last hidden
 * state after the final LayerNorm, the pooled output and, for encoders with projection,
 * {@code text_embeds} (else null).
 */
public record ClipTextOutput(List<NDArray> hiddenStates, NDArray lastHiddenState, NDArray pooledOutput,
        NDArray textEmbeds, UnaryOperator<NDArray> finalLayerNorm) {

    /** {@code hidden_states[index]}; negative indices count from the end (-1 = the last layer, before the final norm). */
    public NDArray hiddenState(int index) {
        int i = index < 0 ? hiddenStates.size() + index : index;
        if (i < 0 || i >= hiddenStates.size()) {
            throw new DiffijException("hidden state " + index + " does not exist: the encoder has "
                    + (hiddenStates.size() - 1) + " layers");
        }
        return hiddenStates.get(i);
    }

    /**
     * The conditioning SD1.x/2.x pipelines feed the UNet with diffusers' {@code clip_skip}: 0 is the
     * last hidden state; k skips k layers, {@code final_layer_norm(hidden_states[-(k + 1)])}. A1111's
     * "CLIP skip" setting N is {@code clipSkip = N - 1}.
     */
    public NDArray promptEmbeds(int clipSkip) {
        if (clipSkip < 0) {
            throw new DiffijException("clip skip must be 0 or more, got " + clipSkip);
        }
        return clipSkip == 0 ? lastHiddenState : finalLayerNorm.apply(hiddenState(-(clipSkip + 1)));
    }
}
