package org.diffij.nn;

import ai.djl.ndarray.NDArray;

/** {@code linear_1} → SiLU → {@code linear_2}: the MLP that turns a sinusoidal embedding into the block conditioning. */
public final class TimestepEmbedding {

    private final Linear linear1;
    private final Linear linear2;

    public TimestepEmbedding(Params p, long in, long timeEmbedDim) {
        this.linear1 = new Linear(p.at("linear_1"), in, timeEmbedDim, true);
        this.linear2 = new Linear(p.at("linear_2"), timeEmbedDim, timeEmbedDim, true);
    }

    public NDArray forward(NDArray x) {
        return linear2.forward(Activations.silu(linear1.forward(x)));
    }
}
