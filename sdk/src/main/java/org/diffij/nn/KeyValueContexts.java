package org.diffij.nn;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.function.Supplier;

/**
 * Per-request transforms of the context that a transformer block's attention computes its keys and
 * values from, active during one forward pass on the calling thread: A1111's hypernetworks, which
 * replace {@code to_k(context)} by {@code to_k(hn_k(context))} and {@code to_v(context)} by
 * {@code to_v(hn_v(context))} in every self- and cross-attention whose context width they have
 * modules for. Several transforms chain, each on the previous one's key and value contexts, as
 * A1111 applies several hypernetworks. The model's (cached) weights are never modified.
 */
public final class KeyValueContexts {

    /** The contexts {@code to_k} and {@code to_v} are applied to. */
    public record Pair(NDArray forKeys, NDArray forValues) {
    }

    /** One transform; it returns its input unchanged for a context width it has nothing for. */
    @FunctionalInterface
    public interface Transform {
        Pair apply(Pair contexts);
    }

    private static final ThreadLocal<List<Transform>> ACTIVE = new ThreadLocal<>();

    private KeyValueContexts() {
    }

    /** Runs {@code forward} with the transforms active (they nest: the inner list replaces the outer one). */
    public static <T> T applying(List<Transform> transforms, Supplier<T> forward) {
        List<Transform> previous = ACTIVE.get();
        ACTIVE.set(List.copyOf(transforms));
        try {
            return forward.get();
        } finally {
            if (previous == null) {
                ACTIVE.remove();
            } else {
                ACTIVE.set(previous);
            }
        }
    }

    /** The key and value contexts of {@code context} under the active transforms (itself twice outside {@link #applying}). */
    static Pair of(NDArray context) {
        Pair contexts = new Pair(context, context);
        List<Transform> transforms = ACTIVE.get();
        if (transforms != null) {
            for (Transform transform : transforms) {
                contexts = transform.apply(contexts);
            }
        }
        return contexts;
    }
}
