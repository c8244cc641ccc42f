package org.diffij.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** Layer normalisation over the last axis with {@code weight} and {@code bias} (per-request replaceable). */
public final class LayerNorm {

    private final Shape normalized;
    private final float eps;
    private final String module;
    private final NDArray weight;
    private final NDArray bias;

    public LayerNorm(Params p, long dim, float eps) {
        this.normalized = new Shape(dim);
        this.eps = eps;
        this.module = p.prefix();
        this.weight = p.tensor("weight", dim);
        this.bias = p.tensor("bias", dim);
    }

    public NDArray forward(NDArray x) {
        return OpProfile.time("layer norm",
                () -> ai.djl.nn.norm.LayerNorm.layerNorm(x, normalized, ReplacedWeights.weight(module, weight),
                ReplacedWeights.bias(module, bias), eps).head());
    }
}
