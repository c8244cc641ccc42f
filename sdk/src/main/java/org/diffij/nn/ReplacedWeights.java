package org.diffij.nn;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Per-request replacements of layer parameters during one forward pass, keyed by the layer's
 * module path: adapters that are not low rank (LoHa, LoKr, full, DoRA, norm) change a layer as a
 * merged weight, which is made once per request and used instead of the cached model's weight,
 * which is never modified. Linear, convolution and norm layers take them.
 */
public final class ReplacedWeights {

    /**
     * A layer's parameters for one request.
     *
     * @param weight the layer's weight shape, or null to keep the layer's own
     * @param bias the layer's bias shape, or null to keep the layer's own
     */
    public record Replacement(NDArray weight, NDArray bias) {
    }

    private static final ForwardBranches<Replacement> ACTIVE = new ForwardBranches<>();

    private ReplacedWeights() {
    }

    /** Runs {@code forward} with the replacements active (they nest: the inner set replaces the outer one). */
    public static <T> T applying(Map<String, Replacement> replacements, Supplier<T> forward) {
        return ACTIVE.applying(replacements.entrySet().stream().collect(Collectors.toMap(
                Map.Entry::getKey, e -> List.of(e.getValue()))), forward);
    }

    /** The layer's weight for this forward pass: the replacement's, else its own. */
    static NDArray weight(String module, NDArray own) {
        List<Replacement> r = ACTIVE.of(module);
        return r.isEmpty() || r.get(0).weight() == null ? own : r.get(0).weight();
    }

    /** The layer's bias for this forward pass: the replacement's, else its own (may be null). */
    static NDArray bias(String module, NDArray own) {
        List<Replacement> r = ACTIVE.of(module);
        return r.isEmpty() || r.get(0).bias() == null ? own : r.get(0).bias();
    }
}
