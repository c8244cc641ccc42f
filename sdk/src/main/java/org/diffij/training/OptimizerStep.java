package org.diffij.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.diffij.DiffijException;
import org.diffij.nn.Autograd;
import org.diffij.nn.OpProfile;
import org.diffij.nn.ScalarOps;

/**
 * One optimiser step as the training scripts take it: forward and backward of the loss while
 * autograd records, the global gradient norm (clipping to {@code maxGradNorm} when it is positive),
 * AdamW on every trained tensor, gradients reset. Gradient accumulation calls {@link #accumulate}
 * for all but the last micro-batch. Every temporary lives in a per-step scope.
 */
public final class OptimizerStep {

    /** What a step reports: the loss, the gradient norm before clipping and the clip factor. */
    public record Report(double loss, double gradientNorm, double clipCoefficient) {
    }

    private final AdamW optimizer;
    private final double maxGradNorm;

    /** @param maxGradNorm clip the global gradient norm to this, or 0 for no clipping */
    public OptimizerStep(AdamW optimizer, double maxGradNorm) {
        this.optimizer = optimizer;
        this.maxGradNorm = maxGradNorm;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    /** Backpropagates {@code loss} (scaled by {@code scale}) into the trained tensors' gradients; returns the loss. */
    public double accumulate(Supplier<NDArray> loss, double scale) {
        try (Autograd.Tape tape = Autograd.start()) {
            NDArray value = loss.get();
            tape.backward(scale == 1 ? value : ScalarOps.mul(value, scale));
            return value.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble();
        }
    }

    /**
     * Completes a step on {@code trained} (name → tensor): optionally accumulates one more loss, then
     * clips and updates at {@code lr}. {@code beforeClipping} sees the gradients first (for checks).
     */
    public Report step(Map<String, NDArray> trained, Supplier<NDArray> loss, double scale, double lr,
            Consumer<Map<String, NDArray>> beforeClipping) {
        return step(trained, loss, scale, name -> lr, beforeClipping);
    }

    /** As {@link #step(Map, Supplier, double, double, Consumer)} with a rate per tensor (parameter groups). */
    public Report step(Map<String, NDArray> trained, Supplier<NDArray> loss, double scale, ToDoubleFunction<String> lr,
            Consumer<Map<String, NDArray>> beforeClipping) {
        double value = loss == null ? Double.NaN : accumulate(loss, scale);
        NDManager owner = trained.values().iterator().next().getManager();
        try (NDManager scope = owner.newSubManager()) {
            Map<String, NDArray> gradients = new LinkedHashMap<>();
            trained.forEach((name, tensor) -> {
                NDArray gradient = Autograd.gradient(tensor);
                if (gradient != null) {
                    gradient.attach(scope);
                    gradients.put(name, gradient);
                }
            });
            if (beforeClipping != null) {
                beforeClipping.accept(gradients);
            }
            GradientClipping.Clipped clipped = OpProfile.time("gradient norm and clipping", () -> GradientClipping
                    .clipGradNorm(gradients.values(), maxGradNorm > 0 ? maxGradNorm : Double.POSITIVE_INFINITY));
            if (!Double.isFinite(clipped.totalNorm())) {
                // An update from these would turn every trained value into NaN: keep the weights as they are.
                trained.values().forEach(Autograd::zeroGradient);
                throw new DiffijException("the gradients became " + clipped.totalNorm() + " (loss " + value + "); "
                        + "the trained weights are kept as before this step: lower the learning rate or resume from "
                        + "the last checkpoint");
            }
            OpProfile.timed("AdamW", () -> Autograd.untracked(() -> gradients.forEach((name, gradient) ->
                    optimizer.step(name, trained.get(name), gradient, lr.applyAsDouble(name)))));
            OpProfile.timed("zeroing gradients", () -> trained.values().forEach(Autograd::zeroGradient));
            return new Report(value, clipped.totalNorm(), clipped.coefficient());
        }
    }
}
