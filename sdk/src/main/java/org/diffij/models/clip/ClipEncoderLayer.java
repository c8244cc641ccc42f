package org.diffij.models.clip;

import ai.djl.ndarray.NDArray;
import org.diffij.nn.Attention;
import org.diffij.nn.LayerNorm;
import org.diffij.nn.Params;

/** One pre-norm CLIP layer: LayerNorm → self-attention, LayerNorm → MLP, each with a residual. */
final class ClipEncoderLayer {

    private final LayerNorm layerNorm1;
    private final Attention selfAttn;
    private final LayerNorm layerNorm2;
    private final ClipMlp mlp;

    ClipEncoderLayer(Params p, ClipEncoder.Config c, boolean causal) {
        float eps = (float) c.layerNormEps();
        this.layerNorm1 = new LayerNorm(p.at("layer_norm1"), c.hiddenSize(), eps);
        this.selfAttn = new Attention(p.at("self_attn"), Attention.Projections.CLIP, c.hiddenSize(), c.hiddenSize(),
                c.numAttentionHeads(), c.headDim(), true, causal);
        this.layerNorm2 = new LayerNorm(p.at("layer_norm2"), c.hiddenSize(), eps);
        this.mlp = new ClipMlp(p.at("mlp"), c);
    }

    NDArray forward(NDArray x) {
        NDArray h = x.add(selfAttn.forward(layerNorm1.forward(x), null));
        return h.add(mlp.forward(layerNorm2.forward(h)));
    }
}
