package org.diffij.models.clip;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.diffij.DiffijException;
import org.diffij.nn.Params;

/**
 * The transformer encoder that CLIP's text and vision towers share ({@code encoder.layers.*}):
 * {@link ClipEncoderLayer}s, causal for text, full for images.
 */
public final class ClipEncoder {

    /** The encoder's part of a CLIP text or vision config. */
    public record Config(int hiddenSize, int intermediateSize, int numHiddenLayers, int numAttentionHeads,
            String hiddenAct, double layerNormEps) {

        public Config {
            if (hiddenSize < 1 || intermediateSize < 1 || numHiddenLayers < 1 || numAttentionHeads < 1) {
                throw new DiffijException("CLIP config has a size below 1 (hidden " + hiddenSize + ", intermediate "
                        + intermediateSize + ", layers " + numHiddenLayers + ", heads " + numAttentionHeads + ")");
            }
            if (hiddenSize % numAttentionHeads != 0) {
                throw new DiffijException("CLIP config: hidden_size " + hiddenSize
                        + " is not divisible by num_attention_heads " + numAttentionHeads);
            }
            if (!hiddenAct.equals("quick_gelu") && !hiddenAct.equals("gelu")) {
                throw new DiffijException("CLIP config: hidden_act '" + hiddenAct
                        + "' is not supported (quick_gelu or gelu)");
            }
        }

        public int headDim() {
            return hiddenSize / numAttentionHeads;
        }
    }

    private final List<ClipEncoderLayer> layers = new ArrayList<>();

    /** @param p the encoder's module, e.g. {@code text_model.encoder} */
    public ClipEncoder(Params p, Config config, boolean causal) {
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            layers.add(new ClipEncoderLayer(p.at("layers", i), config, causal));
        }
    }

    /**
     * transformers' {@code hidden_states} for {@code x (batch, length, hidden)}: index 0 is {@code x},
     * index i the output of layer i.
     */
    public List<NDArray> forward(NDArray x) {
        List<NDArray> hiddenStates = new ArrayList<>();
        hiddenStates.add(x);
        for (ClipEncoderLayer layer : layers) {
            x = layer.forward(x);
            hiddenStates.add(x);
        }
        return List.copyOf(hiddenStates);
    }
}
