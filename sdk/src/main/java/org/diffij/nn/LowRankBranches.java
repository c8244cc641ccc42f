package org.diffij.nn;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Low-rank branches (run-time LoRA) added to layer outputs during one forward pass:
 * {@code y = layer(x) + Σ factor · up(mid(down(x)))}, keyed by the layer's module path. The model's own
 * (cached) weights are never modified; the branches apply only inside {@link #applying}, on the
 * calling thread.
 */
public final class LowRankBranches {

    /**
     * One adapter's branch for one layer.
     *
     * @param down {@code [rank, in]} for a linear layer, {@code [rank, in, k, k]} (or any shape of
     *     that size) for a convolution; {@code [rank, in, 1, 1]} when there is a mid
     * @param mid null, or the Tucker core {@code [rank, rank, k, k]} (LyCORIS {@code lora_mid}): the
     *     layer's kernel, stride and padding then apply to it and down is a 1×1 map
     * @param up {@code [out, rank]} or {@code [out, rank, 1, 1]}
     * @param factor scale · alpha / rank
     */
    public record Branch(NDArray down, NDArray mid, NDArray up, float factor) {

        public Branch(NDArray down, NDArray up, float factor) {
            this(down, null, up, factor);
        }

        long rank() {
            return down.getShape().get(0);
        }
    }

    private static final ForwardBranches<Branch> ACTIVE = new ForwardBranches<>();

    private LowRankBranches() {
    }

    /** Runs {@code forward} with the branches active (they nest: the inner set replaces the outer one). */
    public static <T> T applying(Map<String, List<Branch>> branches, Supplier<T> forward) {
        return ACTIVE.applying(branches, forward);
    }

    static List<Branch> of(String module) {
        return ACTIVE.of(module);
    }
}
