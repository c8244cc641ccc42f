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

    /** {@code x · sigmoid(1.702 x)}, the original CLIP's GELU approximation. */
    public static NDArray quickGelu(NDArray x) {
        return ScalarOps.swish(x, 1.702f);
    }

    /** The exact (erf) GELU. */
    public static NDArray gelu(NDArray x) {
        return ai.djl.nn.Activation.gelu(x);
    }

    /** The activation a transformers config names in {@code hidden_act}. */
    public static java.util.function.UnaryOperator<NDArray> named(String hiddenAct) {
        return switch (hiddenAct) {
            case "quick_gelu" -> Activations::quickGelu;
            case "gelu" -> Activations::gelu;
            default -> throw new org.diffij.DiffijException("activation '" + hiddenAct
                    + "' is not supported (quick_gelu or gelu)");
        };
    }
}
