package org.diffij.nn;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Image-prompt (IP-Adapter) attention added to cross-attention layers during one forward pass: the
 * layer attends with its own query to extra keys and values and adds {@code scale} times the result
 * to the text attention, before {@code to_out}. Keyed by the attention's module path. The model's
 * (cached) weights are never modified; the branches apply only inside {@link #applying}, on the
 * calling thread.
 */
public final class DecoupledCrossAttention {

    /**
     * One adapter's keys and values for one layer, already projected ({@code to_k_ip}, {@code to_v_ip})
     * and split into heads: {@code (batch, heads, tokens, head_dim)}, the batch of the UNet's input.
     */
    public record Branch(NDArray keys, NDArray values, float scale) {
    }

    private static final ForwardBranches<Branch> ACTIVE = new ForwardBranches<>();

    private DecoupledCrossAttention() {
    }

    /** Runs {@code forward} with the branches active (they nest: the inner set replaces the outer one). */
    public static <T> T applying(Map<String, List<Branch>> branches, Supplier<T> forward) {
        return ACTIVE.applying(branches, forward);
    }

    static List<Branch> of(String module) {
        return ACTIVE.of(module);
    }
}
