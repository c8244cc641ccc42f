package org.diffij.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.diffij.DiffijException;
import org.diffij.engine.Tensors;
import org.diffij.io.HostTensor;
import org.diffij.io.Weights;

/**
 * Hands a model's layers their parameters by diffusers key, each checked against the shape the
 * config implies, into the model's own memory scope. {@link #finish()} then fails the load when a
 * key was missing, had the wrong shape, or was left unused, naming every one of them: a model
 * never runs with silently missing or ignored weights.
 */
public final class ParameterLoader {

    private static final int NAMES_SHOWN = 20;

    private final Weights weights;
    private final NDManager manager;
    private final DataType computeType;
    private final String what;
    private final ParameterTree tree = new ParameterTree();
    private final Set<String> used = new LinkedHashSet<>();
    private final List<java.util.regex.Pattern> ignored = new ArrayList<>();
    private final List<String> missing = new ArrayList<>();
    private final List<String> misshapen = new ArrayList<>();
    private final List<String> unusable = new ArrayList<>();
    private boolean checkValues;
    private long bytes;

    public ParameterLoader(Weights weights, NDManager manager, DataType computeType, String what) {
        this.weights = weights;
        this.manager = manager;
        this.computeType = computeType;
        this.what = what;
    }

    /**
     * A loader that makes up parameters instead of reading them (for benchmarks and tests): weights
     * {@code N(0, 1) / sqrt(fan_in)}, 1-D weights (norm scales) 1, biases 0. Draws from the engine's
     * generator, so call it inside a job.
     */
    public static ParameterLoader random(NDManager manager, DataType computeType, String what) {
        return new ParameterLoader(null, manager, computeType, what);
    }

    public Params root() {
        return new Params(this, "");
    }

    NDArray tensor(String name, long... shape) {
        NDArray array = read(name, shape);
        tree.add(name, array);
        return array;
    }

    /**
     * A convolution weight in the kernels' fast memory layout. The fast copy replaces the read one
     * (keeping both would double the model's memory) and is what the tree holds and training updates.
     */
    NDArray convolutionWeight(String name, long... shape) {
        NDArray read = read(name, shape);
        NDArray fast = Kernels.get().channelsLast(read);
        if (fast != read) {
            read.close();
        }
        tree.add(name, fast);
        return fast;
    }

    /** Everything loaded so far, by key; complete once {@link #finish()} has passed. */
    public ParameterTree tree() {
        return tree;
    }

    private NDArray read(String name, long... shape) {
        used.add(name);
        if (weights == null) {
            return randomParameter(name, shape);
        }
        if (!weights.contains(name)) {
            missing.add(name);
            return manager.zeros(new Shape(shape), computeType);
        }
        HostTensor stored = weights.read(name);
        if (!Arrays.equals(stored.shape(), shape)) {
            misshapen.add(name + " " + Arrays.toString(stored.shape()) + " (expected " + Arrays.toString(shape) + ")");
            return manager.zeros(new Shape(shape), computeType);
        }
        if (checkValues) {
            String problem = valueProblem(stored);
            if (problem != null) {
                unusable.add(name + " " + problem);
                return manager.zeros(new Shape(shape), computeType);
            }
        }
        NDArray array = Tensors.toNDArray(manager, stored, computeType);
        bytes += array.getShape().size() * array.getDataType().getNumOfBytes();
        return array;
    }

    private NDArray randomParameter(String name, long[] shape) {
        NDArray array;
        if (shape.length >= 2) {
            long fanIn = HostTensor.numel(shape) / shape[0];
            array = manager.randomNormal(0, (float) (1 / Math.sqrt(fanIn)), new Shape(shape), computeType);
        } else if (name.endsWith(".weight")) {
            array = manager.ones(new Shape(shape), computeType);
        } else {
            array = manager.zeros(new Shape(shape), computeType);
        }
        bytes += array.getShape().size() * array.getDataType().getNumOfBytes();
        return array;
    }

    /** The names of every parameter the layers asked for so far (the model's diffusers keys). */
    public Set<String> names() {
        return java.util.Collections.unmodifiableSet(used);
    }

    /** Bytes of native memory the loaded parameters take. */
    public long bytes() {
        return bytes;
    }

    /**
     * Also refuses weights that are not floating point or hold NaN or infinite values (reported by
     * {@link #finish()} with the other problems): for files from third parties, where such a value
     * would silently spoil every result.
     */
    public ParameterLoader checkingValues() {
        this.checkValues = true;
        return this;
    }

    private static String valueProblem(HostTensor stored) {
        if (!stored.dtype().isFloating()) {
            return "has dtype " + stored.dtype() + " (weights are floating point)";
        }
        double largest = stored.largestMagnitude();
        if (Double.isNaN(largest)) {
            return "holds NaN";
        }
        return Double.isInfinite(largest) ? "holds infinite values" : null;
    }

    /** Stored tensors matching these globs are not parameters (buffers real files carry) and are not reported. */
    public ParameterLoader ignoring(String... globs) {
        for (String glob : globs) {
            ignored.add(ParameterTree.globPattern(glob));
        }
        return this;
    }

    /** Fails with every missing, misshapen and unexpected key by name; call once all layers are built. */
    public void finish() {
        Set<String> unexpected = new TreeSet<>(weights == null ? Set.of() : weights.names());
        unexpected.removeAll(used);
        unexpected.removeIf(name -> ignored.stream().anyMatch(p -> p.matcher(name).matches()));
        List<String> problems = new ArrayList<>();
        describe(problems, "missing", missing);
        describe(problems, "with the wrong shape", misshapen);
        describe(problems, "with unusable values", unusable);
        describe(problems, "unexpected", new ArrayList<>(unexpected));
        if (!problems.isEmpty()) {
            boolean damaged = problems.size() == 1 && !unusable.isEmpty();
            throw new DiffijException(what + (damaged ? ": damaged weights: "
                    : ": the weights do not match the config: ")
                    + String.join("; ", problems) + (damaged ? ". Download the weight file again."
                            : ". Check that the weight file belongs to this config.json."));
        }
    }

    private static void describe(List<String> problems, String kind, List<String> names) {
        if (names.isEmpty()) {
            return;
        }
        String shown = String.join(", ", names.subList(0, Math.min(NAMES_SHOWN, names.size())));
        problems.add(names.size() + " " + kind + " (" + shown + (names.size() > NAMES_SHOWN ? ", ..." : "") + ")");
    }
}
