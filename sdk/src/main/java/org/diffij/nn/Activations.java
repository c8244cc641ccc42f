package org.diffij.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/** Activation functions under their diffusers names. */
public final class Activations {

    private Activations() {
    }

    /** {@code x · sigmoid(x)}. */
    public static NDArray silu(NDArray x) {
        return Activation.swish(x, 1f);
    }
}
