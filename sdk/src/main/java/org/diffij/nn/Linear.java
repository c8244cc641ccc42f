package org.diffij.nn;

import ai.djl.ndarray.NDArray;

/** {@code x · weightᵀ + bias} with {@code weight [out, in]}; the bias is optional. */
public final class Linear {

    private final NDArray weight;
    private final NDArray bias;

    public Linear(Params p, long in, long out, boolean bias) {
        this.weight = p.tensor("weight", out, in);
        this.bias = bias ? p.tensor("bias", out) : null;
    }

    public NDArray forward(NDArray x) {
        return (bias == null ? ai.djl.nn.core.Linear.linear(x, weight) : ai.djl.nn.core.Linear.linear(x, weight, bias))
                .head();
    }
}
