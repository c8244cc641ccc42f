package org.diffij.nn;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Per-request additions to a model's layers, active during one forward pass on the calling thread
 * and keyed by the layer's module path, so that a cached model's own weights are never modified.
 * Run-time LoRA ({@link LowRankBranches}) and IP-Adapter attention ({@link DecoupledCrossAttention})
 * each keep one of these.
 *
 * @param <B> what one request adds to one layer
 */
final class ForwardBranches<B> {

    private final ThreadLocal<Map<String, List<B>>> active = new ThreadLocal<>();

    /** Runs {@code forward} with the branches active (they nest: the inner set replaces the outer one). */
    <T> T applying(Map<String, List<B>> branches, Supplier<T> forward) {
        Map<String, List<B>> previous = active.get();
        active.set(branches);
        try {
            return forward.get();
        } finally {
            if (previous == null) {
                active.remove();
            } else {
                active.set(previous);
            }
        }
    }

    /** The branches active for {@code module} on this thread (none outside {@link #applying}). */
    List<B> of(String module) {
        Map<String, List<B>> branches = active.get();
        return branches == null ? List.of() : branches.getOrDefault(module, List.of());
    }
}
