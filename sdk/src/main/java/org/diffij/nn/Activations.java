package org.diffij.nn;

import ai.djl.ndarray.NDArray;

/** Activation functions under their diffusers names. */
public final class Activations {

    private Activations() {
    }

    /** {@code x · sigmoid(x)}. */
    public static NDArray silu(NDArray x) {
        return Kernels.get().silu(x);
    }
}
