package org.diffij.nn;

import ai.djl.ndarray.NDArray;

/** The transformer MLP with the GEGLU activation: {@code net.0.proj} to 2×inner, gated GELU, {@code net.2} back. */
public final class FeedForward {

    private final Linear proj;
    private final Linear out;

    public FeedForward(Params p, long dim, long inner) {
        this.proj = new Linear(p.at("net", 0, "proj"), dim, inner * 2, true);
        this.out = new Linear(p.at("net", 2), inner, dim, true);
    }

    public NDArray forward(NDArray x) {
        return Scope.run(x, input -> {
            NDArray hidden = proj.forward(input);
            return out.forward(OpProfile.time("GEGLU", () -> Kernels.get().geglu(hidden)));
        });
    }
}
