package org.diffij.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Gradient checkpointing: a model's forward pass runs as a chain of segments (the UNet's blocks)
 * without keeping their activations for backward; only each segment's inputs and outputs are kept.
 * Backward then walks the segments in reverse, recomputes each one with autograd recording from its
 * kept inputs and backpropagates the gradients that reached its outputs, so at most one segment's
 * activations are alive at a time — memory for one more forward pass of time.
 *
 * <p>DJL has no custom autograd functions, so the recomputation cannot hook into libtorch's backward:
 * the segments' own gradient bookkeeping here does what torch's checkpoint function does inside it.
 * A segment's inputs are matched to earlier segments' outputs by identity; any other input that
 * requires a gradient (the text encoder's hidden states when it is trained) receives its gradient in
 * one last backward pass through the graph that produced it. Segments must be deterministic (no
 * dropout): their recomputation has to give the forward's values.
 */
public final class GradientCheckpoints {

    private static final ThreadLocal<GradientCheckpoints> ACTIVE = new ThreadLocal<>();

    /** One segment as the forward ran it: its inputs' ids and kept values, its body, its outputs' ids. */
    private record Segment(int[] inputs, Function<List<NDArray>, List<NDArray>> body, int[] outputs) {
    }

    /** The manager holding the kept inputs and outputs and the gradients in flight. */
    private final NDManager kept;
    private final Map<NDArray, Integer> ids = new IdentityHashMap<>();
    private final List<NDArray> values = new ArrayList<>();
    /** The floating-point inputs that come from outside the segments, as their producers gave them. */
    private final Map<Integer, NDArray> external = new HashMap<>();
    private final List<Segment> segments = new ArrayList<>();

    private GradientCheckpoints(NDManager kept) {
        this.kept = kept;
    }

    /**
     * Runs {@code forward} checkpointed (its model calls {@link #segment}) while an autograd tape is open.
     * The result is a leaf of the tape's graph; once the tape's backward has reached it, the segments are
     * recomputed and backpropagated inside {@code context} — the thread-local state the forward ran in
     * (adapter branches, key/value transforms), which the recomputation needs as well.
     */
    public static NDArray run(NDManager manager, Supplier<NDArray> forward, Consumer<Runnable> context) {
        if (ACTIVE.get() != null) {
            throw new IllegalStateException("checkpointed forward passes do not nest");
        }
        GradientCheckpoints checkpoints = new GradientCheckpoints(manager.newSubManager());
        NDArray output;
        ACTIVE.set(checkpoints);
        try {
            output = forward.get();
        } finally {
            ACTIVE.remove();
        }
        int outputId = checkpoints.ids.getOrDefault(output, -1);
        if (outputId < 0) {
            checkpoints.kept.close();
            throw new IllegalStateException("a checkpointed forward must return its last segment's output");
        }
        Autograd.requireGradient(output, true);
        Autograd.afterBackward(() -> {
            try (NDManager ignored = checkpoints.kept) {
                context.accept(() -> checkpoints.backward(outputId, Autograd.gradient(output)));
            }
        });
        return output;
    }

    /** Whether a checkpointed forward is running on this thread. */
    public static boolean active() {
        return ACTIVE.get() != null;
    }

    /**
     * One segment of a forward pass: {@code body(inputs)} as it is, or, during a checkpointed forward,
     * computed without recording and remembered for recomputation. The body must not change its inputs.
     */
    public static List<NDArray> segment(List<NDArray> inputs, Function<List<NDArray>, List<NDArray>> body) {
        GradientCheckpoints checkpoints = ACTIVE.get();
        if (checkpoints == null) {
            return body.apply(inputs);
        }
        int[] in = new int[inputs.size()];
        for (int i = 0; i < in.length; i++) {
            in[i] = checkpoints.idOf(inputs.get(i), true);
        }
        List<NDArray> outputs = Autograd.computeUntracked(() -> body.apply(inputs));
        int[] out = new int[outputs.size()];
        for (int i = 0; i < out.length; i++) {
            if (checkpoints.ids.containsKey(outputs.get(i))) {
                throw new IllegalStateException("a checkpointed segment returned one of its inputs or a value twice");
            }
            out[i] = checkpoints.idOf(outputs.get(i), false);
        }
        checkpoints.segments.add(new Segment(in, body, out));
        return outputs;
    }

    private int idOf(NDArray tensor, boolean input) {
        Integer known = ids.get(tensor);
        if (known != null) {
            return known;
        }
        int id = values.size();
        ids.put(tensor, id);
        // A handle of its own: the forward's scopes close theirs when each block returns.
        NDArray copy = tensor.stopGradient();
        copy.attach(kept);
        values.add(copy);
        if (input && tensor.getDataType().isFloating()) {
            external.put(id, tensor);
        }
        return id;
    }

    private void backward(int outputId, NDArray outputGradient) {
        if (outputGradient == null) {
            return;
        }
        outputGradient.attach(kept);
        Map<Integer, NDArray> gradients = new HashMap<>();
        gradients.put(outputId, outputGradient);
        for (int s = segments.size() - 1; s >= 0; s--) {
            Segment segment = segments.get(s);
            try (NDManager step = kept.newSubManager()) {
                NDArray sum = null;
                List<NDArray> leaves = new ArrayList<>();
                List<NDArray> inputs = new ArrayList<>();
                for (int id : segment.inputs()) {
                    NDArray value = values.get(id);
                    // libtorch cannot be asked whether a non-leaf has a graph: every floating input gets a gradient.
                    boolean needed = value.getDataType().isFloating();
                    NDArray leaf = value.stopGradient();
                    leaf.attach(step);
                    if (needed) {
                        Autograd.requireGradient(leaf, true);
                    }
                    leaves.add(needed ? leaf : null);
                    inputs.add(leaf);
                }
                List<NDArray> gradientsOfOutputs = new ArrayList<>();
                for (int id : segment.outputs()) {
                    gradientsOfOutputs.add(gradients.remove(id));
                }
                if (gradientsOfOutputs.stream().allMatch(g -> g == null)) {
                    continue;
                }
                List<NDArray> outputs = segment.body().apply(inputs);
                for (int i = 0; i < outputs.size(); i++) {
                    NDArray g = gradientsOfOutputs.get(i);
                    if (g != null) {
                        NDArray term = outputs.get(i).mul(g).sum();
                        sum = sum == null ? term : sum.add(term);
                    }
                }
                Autograd.backpropagate(sum);
                for (int i = 0; i < leaves.size(); i++) {
                    NDArray leaf = leaves.get(i);
                    NDArray g = leaf == null ? null : Autograd.gradient(leaf);
                    if (g != null) {
                        g.attach(kept);
                        gradients.merge(segment.inputs()[i], g, (a, b) -> {
                            NDArray total = a.add(b);
                            a.close();
                            b.close();
                            return total;
                        });
                    }
                }
                gradientsOfOutputs.forEach(g -> {
                    if (g != null) {
                        g.close();
                    }
                });
            }
        }
        // The graph before the segments (the text encoder's, when it is trained) has waited for these
        // gradients. A leaf of its own makes the sum a graph even where no input has one.
        NDArray sum = kept.zeros(new ai.djl.ndarray.types.Shape());
        Autograd.requireGradient(sum, true);
        for (Map.Entry<Integer, NDArray> e : external.entrySet()) {
            NDArray g = gradients.get(e.getKey());
            if (g != null) {
                sum = sum.add(e.getValue().mul(g).sum());
            }
        }
        Autograd.backpropagate(sum);
    }
}
