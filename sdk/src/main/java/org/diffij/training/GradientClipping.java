package org.diffij.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.Collection;

/**
 * Clipping by the global L2 norm, as {@code torch.nn.utils.clip_grad_norm_}: {@code total} is the norm
 * of the per-tensor norms, every gradient is multiplied in place by {@code min(1, max / (total + 1e-6))},
 * computed in float32 on the engine like torch does.
 */
public final class GradientClipping {

    /** The norm before clipping and the factor the gradients were multiplied by. */
    public record Clipped(double totalNorm, double coefficient) {
    }

    private GradientClipping() {
    }

    /** Clips {@code gradients} together to {@code maxNorm}; no gradients give norm 0 and factor 1. */
    public static Clipped clipGradNorm(Collection<NDArray> gradients, double maxNorm) {
        if (gradients.isEmpty()) {
            return new Clipped(0, 1);
        }
        NDManager owner = gradients.iterator().next().getManager();
        try (NDManager scope = owner.newSubManager()) {
            NDList norms = new NDList();
            for (NDArray gradient : gradients) {
                NDArray norm = gradient.norm();
                norm.attach(scope);
                norms.add(norm);
            }
            NDArray total = NDArrays.stack(norms).norm();
            total.attach(scope);
            // torch computes max_norm / x as reciprocal(x) * max_norm; pow(-1) is torch's reciprocal.
            NDArray coefficient = total.add(1e-6f).pow(-1).muli((float) maxNorm).minimum(1f);
            coefficient.attach(scope);
            float factor = coefficient.getFloat();
            // torch multiplies by the factor even when it is 1, which changes no value: skip that pass
            // over every gradient (3.4 GB for a full SD 1.5 UNet).
            if (factor != 1f) {
                for (NDArray gradient : gradients) {
                    gradient.muli(coefficient);
                }
            }
            return new Clipped(total.getFloat(), factor);
        }
    }
}
