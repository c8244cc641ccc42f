package org.diffij.models.hypernetwork;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.diffij.DiffijException;
import org.diffij.engine.CachedModel;
import org.diffij.io.Weights;
import org.diffij.nn.Autograd;
import org.diffij.nn.KeyValueContexts;
import org.diffij.nn.ParameterLoader;
import org.diffij.nn.ParameterTree;
import org.diffij.nn.ParameterizedModel;
import org.diffij.nn.Params;

/**
 * An A1111 hypernetwork: per context width {@code d} a pair of {@link HypernetworkModule}s, one
 * making the context the keys are projected from, one the values'. Applied at a strength it is a
 * {@link KeyValueContexts} transform: every transformer-block attention whose context (the text for
 * cross-attention, the image tokens for self-attention) is {@code d} wide computes
 * {@code to_k(hn_k(context))} and {@code to_v(hn_v(context))}. Parameters are named as the
 * flattened file names them: {@code <d>.<0 = keys | 1 = values>.linear.<n>.weight}.
 */
public final class Hypernetwork implements ParameterizedModel, CachedModel {

    /** What an A1111 file records besides the architecture: its name, training step and base checkpoint. */
    public record Provenance(String name, long step, String sdCheckpoint, String sdCheckpointName,
            String optionalInfo) {

        public Provenance withStep(long step, String sdCheckpoint, String sdCheckpointName) {
            return new Provenance(name, step, sdCheckpoint, sdCheckpointName, optionalInfo);
        }
    }

    /** torch's initial PReLU slope. */
    private static final float PRELU_INITIAL_SLOPE = 0.25f;

    private final HypernetworkConfig config;
    private final Provenance provenance;
    private final Map<Integer, HypernetworkModule[]> layers;
    private final ParameterTree parameters;
    private final long bytes;

    private Hypernetwork(HypernetworkConfig config, Provenance provenance, Map<Integer, HypernetworkModule[]> layers,
            ParameterTree parameters, long bytes) {
        this.config = config;
        this.provenance = provenance;
        this.layers = layers;
        this.parameters = parameters;
        this.bytes = bytes;
    }

    /** Builds the modules of every width from {@code loader}, keys module then values module per width, widths ascending. */
    private static Hypernetwork build(ParameterLoader loader, List<Integer> sizes, HypernetworkConfig config,
            Provenance provenance) {
        Params root = loader.root();
        Map<Integer, HypernetworkModule[]> layers = new LinkedHashMap<>();
        for (int size : new TreeSet<>(sizes)) {
            layers.put(size, new HypernetworkModule[] {new HypernetworkModule(root.at(size, 0), size, config),
                new HypernetworkModule(root.at(size, 1), size, config)});
        }
        return new Hypernetwork(config, provenance, layers, loader.tree(), loader.bytes());
    }

    /**
     * A hypernetwork from its tensors by flattened name, which must be exactly those the config
     * implies for the widths they name; {@code source} names the file in messages.
     */
    static Hypernetwork load(Weights weights, List<Integer> sizes, HypernetworkConfig config, Provenance provenance,
            String source, NDManager manager, DataType dtype) {
        ParameterLoader loader = new ParameterLoader(weights, manager, dtype, source);
        Hypernetwork hypernetwork = build(loader, sizes, config, provenance);
        TreeSet<String> missing = new TreeSet<>(loader.names());
        missing.removeAll(weights.names());
        TreeSet<String> unexpected = new TreeSet<>(weights.names());
        unexpected.removeAll(loader.names());
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new DiffijException(source + ": its tensors do not fit its layer_structure "
                    + config.layerStructure() + ", activation " + config.activation().key() + ", layer norm "
                    + config.isLayerNorm() + " and dropout " + config.dropoutStructure()
                    + (missing.isEmpty() ? "" : "; missing " + String.join(", ", first(missing)))
                    + (unexpected.isEmpty() ? "" : "; unexpected " + String.join(", ", first(unexpected)))
                    + "; the file is damaged or not an A1111 hypernetwork");
        }
        loader.finish();
        return hypernetwork;
    }

    /**
     * A new hypernetwork with modules for {@code sizes}, initialised as A1111 does by the config's
     * {@code weight_initialization}: Normal draws weights from N(0, 0.01²) and zero biases (LayerNorm
     * weights too, whatever the init), Xavier and Kaiming (fan-in, ReLU gain) the torch initialisers
     * with zero biases; a PReLU's slope starts at torch's 0.25 (A1111 leaves it as torch makes it).
     * Draws from the engine's generator; the parameters collect gradients.
     */
    public static Hypernetwork create(Provenance provenance, List<Integer> sizes, HypernetworkConfig config,
            NDManager manager) {
        if (sizes.isEmpty()) {
            throw new DiffijException("a hypernetwork needs at least one context width (size)");
        }
        Hypernetwork hypernetwork = build(ParameterLoader.random(manager, DataType.FLOAT32, provenance.name()), sizes,
                config, provenance);
        Set<NDArray> slopes = Collections.newSetFromMap(new IdentityHashMap<>());
        hypernetwork.layers.values().forEach(pair -> Arrays.stream(pair).forEach(m -> slopes.addAll(m.slopes())));
        Autograd.untracked(() -> hypernetwork.parameters.named().forEach((key, array) -> {
            if (slopes.contains(array)) {
                array.set(new float[] {PRELU_INITIAL_SLOPE});
                return;
            }
            try (NDArray value = initial(key, array.getShape(), config, manager)) {
                array.set(value.toFloatArray());
            }
        }));
        hypernetwork.setTrainable(true);
        return hypernetwork;
    }

    private static NDArray initial(String key, Shape shape, HypernetworkConfig config, NDManager manager) {
        boolean bias = key.endsWith(".bias");
        if (bias) {
            return manager.zeros(shape);
        }
        String init = shape.dimension() == 1 ? "Normal" : config.weightInitialization();
        long fanOut = shape.get(0);
        long fanIn = shape.dimension() == 1 ? 1 : shape.get(1);
        double reluGain = Math.sqrt(2);
        return switch (init) {
            case "XavierUniform" -> uniform(manager, Math.sqrt(6.0 / (fanIn + fanOut)), shape);
            case "XavierNormal" -> manager.randomNormal(0, (float) Math.sqrt(2.0 / (fanIn + fanOut)), shape,
                    DataType.FLOAT32);
            case "KaimingUniform" -> uniform(manager, reluGain * Math.sqrt(3.0 / fanIn), shape);
            case "KaimingNormal" -> manager.randomNormal(0, (float) (reluGain / Math.sqrt(fanIn)), shape,
                    DataType.FLOAT32);
            default -> manager.randomNormal(0, 0.01f, shape, DataType.FLOAT32);
        };
    }

    private static NDArray uniform(NDManager manager, double bound, Shape shape) {
        return manager.randomUniform((float) -bound, (float) bound, shape, DataType.FLOAT32);
    }

    /** Starts or stops gradient collection for every parameter (A1111's {@code train()} / {@code eval()}). */
    public void setTrainable(boolean trainable) {
        parameters.named().values().forEach(p -> Autograd.requireGradient(p, trainable));
    }

    /**
     * The key/value context transform at {@code strength}; {@code training} runs the modules as
     * A1111's train mode does: dropout on and the strength ignored (1).
     */
    public KeyValueContexts.Transform contexts(float strength, boolean training) {
        return contexts -> {
            HypernetworkModule[] pair = layers.get((int) contexts.forKeys().getShape().getLastDimension());
            if (pair == null) {
                return contexts;
            }
            return new KeyValueContexts.Pair(pair[0].forward(contexts.forKeys(), strength, training),
                    pair[1].forward(contexts.forValues(), strength, training));
        };
    }

    /** The context widths it has modules for, ascending. */
    public List<Integer> sizes() {
        return new ArrayList<>(layers.keySet());
    }

    public HypernetworkConfig config() {
        return config;
    }

    public Provenance provenance() {
        return provenance;
    }

    @Override
    public ParameterTree parameters() {
        return parameters;
    }

    @Override
    public long sizeBytes() {
        return bytes;
    }

    private static List<String> first(TreeSet<String> names) {
        return names.stream().limit(5).toList();
    }
}
