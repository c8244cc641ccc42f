package org.diffij.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import java.util.ArrayList;
import java.util.List;
import org.diffij.DiffijException;

/**
 * The transformer encoder that CLIP's text and vision towers share ({@code encoder.layers.*}):
 * pre-norm layers of multi-head self-attention (causal for text, full for images) and a two-layer
 * MLP, each with a residual.
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

    private record Layer(NDArray norm1Weight, NDArray norm1Bias, NDArray qWeight, NDArray qBias, NDArray kWeight,
            NDArray kBias, NDArray vWeight, NDArray vBias, NDArray outWeight, NDArray outBias, NDArray norm2Weight,
            NDArray norm2Bias, NDArray fc1Weight, NDArray fc1Bias, NDArray fc2Weight, NDArray fc2Bias) {
    }

    private final Config config;
    private final List<Layer> layers;

    /** @param prefix the encoder's module path, e.g. {@code text_model.encoder} */
    public ClipEncoder(Config config, ClipWeights reader, String prefix) {
        this.config = config;
        long d = config.hiddenSize();
        long ff = config.intermediateSize();
        List<Layer> list = new ArrayList<>();
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            String p = prefix + ".layers." + i + ".";
            list.add(new Layer(reader.read(p + "layer_norm1.weight", d), reader.read(p + "layer_norm1.bias", d),
                    reader.read(p + "self_attn.q_proj.weight", d, d), reader.read(p + "self_attn.q_proj.bias", d),
                    reader.read(p + "self_attn.k_proj.weight", d, d), reader.read(p + "self_attn.k_proj.bias", d),
                    reader.read(p + "self_attn.v_proj.weight", d, d), reader.read(p + "self_attn.v_proj.bias", d),
                    reader.read(p + "self_attn.out_proj.weight", d, d),
                    reader.read(p + "self_attn.out_proj.bias", d),
                    reader.read(p + "layer_norm2.weight", d), reader.read(p + "layer_norm2.bias", d),
                    reader.read(p + "mlp.fc1.weight", ff, d), reader.read(p + "mlp.fc1.bias", ff),
                    reader.read(p + "mlp.fc2.weight", d, ff), reader.read(p + "mlp.fc2.bias", d)));
        }
        this.layers = List.copyOf(list);
    }

    public Config config() {
        return config;
    }

    /**
     * transformers' {@code hidden_states} for {@code x (batch, length, hidden)}: index 0 is {@code x},
     * index i the output of layer i.
     *
     * @param attentionMask additive {@code (length, length)} mask (the text tower's causal mask), or null
     */
    public List<NDArray> forward(NDArray x, NDArray attentionMask) {
        List<NDArray> hiddenStates = new ArrayList<>();
        hiddenStates.add(x);
        for (Layer layer : layers) {
            x = layer(layer, x, attentionMask);
            hiddenStates.add(x);
        }
        return List.copyOf(hiddenStates);
    }

    /** LayerNorm over the hidden axis with this encoder's epsilon. */
    public NDArray layerNorm(NDArray x, NDArray weight, NDArray bias) {
        return LayerNorm.layerNorm(x, new Shape(config.hiddenSize()), weight, bias, (float) config.layerNormEps())
                .singletonOrThrow();
    }

    private NDArray layer(Layer w, NDArray x, NDArray attentionMask) {
        NDArray h = layerNorm(x, w.norm1Weight, w.norm1Bias);
        x = x.add(attention(w, h, attentionMask));
        h = layerNorm(x, w.norm2Weight, w.norm2Bias);
        h = Linear.linear(h, w.fc1Weight, w.fc1Bias).singletonOrThrow();
        h = config.hiddenAct().equals("quick_gelu") ? Activation.swish(h, 1.702f) : Activation.gelu(h);
        return x.add(Linear.linear(h, w.fc2Weight, w.fc2Bias).singletonOrThrow());
    }

    private NDArray attention(Layer w, NDArray x, NDArray attentionMask) {
        Shape shape = x.getShape();
        long batch = shape.get(0);
        long length = shape.get(1);
        float scale = (float) (1.0 / Math.sqrt(config.headDim()));
        NDArray q = heads(Linear.linear(x, w.qWeight, w.qBias).singletonOrThrow().mul(scale), batch, length);
        NDArray k = heads(Linear.linear(x, w.kWeight, w.kBias).singletonOrThrow(), batch, length);
        NDArray v = heads(Linear.linear(x, w.vWeight, w.vBias).singletonOrThrow(), batch, length);
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2));
        NDArray probabilities = (attentionMask == null ? scores : scores.add(attentionMask)).softmax(-1);
        NDArray out = probabilities.matMul(v).transpose(0, 2, 1, 3).reshape(batch, length, config.hiddenSize());
        return Linear.linear(out, w.outWeight, w.outBias).singletonOrThrow();
    }

    private NDArray heads(NDArray x, long batch, long length) {
        return x.reshape(batch, length, config.numAttentionHeads(), config.headDim()).transpose(0, 2, 1, 3);
    }
}
