package org.diffij.nn;

import ai.djl.ndarray.NDArray;

/** {@code x · weightᵀ + bias} with {@code weight [out, in]}; the bias is optional. Takes run-time LoRA branches. */
public final class Linear {

    private final String module;
    private final NDArray weight;
    private final NDArray bias;

    public Linear(Params p, long in, long out, boolean bias) {
        this.module = p.prefix();
        this.weight = p.tensor("weight", out, in);
        this.bias = bias ? p.tensor("bias", out) : null;
    }

    public NDArray forward(NDArray x) {
        NDArray y = OpProfile.time("linear", () -> (bias == null ? ai.djl.nn.core.Linear.linear(x, weight)
                : ai.djl.nn.core.Linear.linear(x, weight, bias)).head());
        for (LowRankBranches.Branch b : LowRankBranches.of(module)) {
            long rank = b.down().getShape().get(0);
            NDArray low = ai.djl.nn.core.Linear.linear(x, b.down().reshape(rank, -1)).head();
            y = y.addi(ai.djl.nn.core.Linear.linear(low, b.up().reshape(-1, rank)).head().muli(b.factor()));
        }
        return y;
    }
}
