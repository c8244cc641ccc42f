package org.diffij.models.hypernetwork;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.diffij.DiffijException;
import org.diffij.engine.JobContext;
import org.diffij.engine.Tensors;
import org.diffij.io.HostTensor;
import org.diffij.io.SafetensorsWriter;
import org.diffij.io.WeightSet;
import org.diffij.io.Weights;
import org.diffij.io.pickle.PickleTuple;
import org.diffij.io.pickle.TorchPickleWriter;

/**
 * A1111 hypernetwork files. The {@code .pt} A1111 writes ({@code torch.save} of a dict: int keys,
 * one per context width, holding a (keys module, values module) tuple of state dicts, then
 * {@code step}, {@code name}, the architecture fields, {@code sd_checkpoint},
 * {@code sd_checkpoint_name}, {@code optional_info}), read through the safe unpickler and written
 * with {@link TorchPickleWriter}; and its flattened {@code .safetensors} twin: tensors
 * {@code <width>.<0|1>.<state-dict key>}, every other field as {@code json.dumps} text in
 * {@code __metadata__}, plus {@code format} and {@code sizes}. Files of A1111's first layout
 * ({@code linear1} / {@code linear2}) load as A1111 renames them.
 */
public final class HypernetworkFile {

    /** The safetensors twin's {@code format} value. */
    public static final String FLAT_FORMAT = "a1111-hypernetwork-flat";

    private static final Pattern TENSOR = Pattern.compile("(\\d+)\\.([01])\\.(.+)");
    private static final Map<String, String> OLD_NAMES = Map.of("linear1.weight", "linear.0.weight", "linear1.bias",
            "linear.0.bias", "linear2.weight", "linear.1.weight", "linear2.bias", "linear.1.bias");

    private HypernetworkFile() {
    }

    /** Reads a hypernetwork ({@code .pt} or its {@code .safetensors} twin) into {@code manager}. */
    public static Hypernetwork read(Path file, NDManager manager, DataType dtype) {
        if (!Files.isRegularFile(file)) {
            throw new DiffijException(file + ": no such hypernetwork file");
        }
        String source = file.getFileName().toString();
        try (WeightSet weights = WeightSet.open(file)) {
            Map<String, String> fields = weights.metadata();
            Map<String, String> renamed = new LinkedHashMap<>();
            Set<Integer> sizes = new TreeSet<>();
            for (String name : weights.names()) {
                Matcher m = TENSOR.matcher(name);
                if (!m.matches()) {
                    throw new DiffijException(source + ": the tensor '" + name + "' is no hypernetwork module "
                            + "weight (<width>.<0|1>.linear.<n>.weight); it is not an A1111 hypernetwork");
                }
                sizes.add(Integer.parseInt(m.group(1)));
                String key = OLD_NAMES.getOrDefault(m.group(3), m.group(3));
                renamed.put(m.group(1) + "." + m.group(2) + "." + key, name);
            }
            if (sizes.isEmpty()) {
                throw new DiffijException(source + ": holds no hypernetwork modules; it is not an A1111 hypernetwork");
            }
            Weights view = new Weights() {
                @Override
                public Set<String> names() {
                    return renamed.keySet();
                }

                @Override
                public HostTensor read(String name) {
                    return weights.read(renamed.get(name));
                }
            };
            String stem = source.contains(".") ? source.substring(0, source.lastIndexOf('.')) : source;
            Hypernetwork.Provenance provenance = new Hypernetwork.Provenance(text(fields, "name", stem),
                    (long) number(fields, "step"), text(fields, "sd_checkpoint", null),
                    text(fields, "sd_checkpoint_name", null), text(fields, "optional_info", null));
            return Hypernetwork.load(view, new ArrayList<>(sizes), HypernetworkConfig.fromFields(fields, source),
                    provenance, source, manager, dtype);
        }
    }

    /** A hypernetwork file through the engine's model cache: loaded once per file and compute dtype. */
    public static Hypernetwork cached(JobContext ctx, Path file) {
        DataType type = ctx.engine().computeType();
        return ctx.model("hypernetwork:" + file.toAbsolutePath().normalize() + ":" + type, m -> read(file, m, type));
    }

    /** Writes the A1111 {@code .pt} (atomically: a temporary file, then renamed). */
    public static void writePickle(Path target, Hypernetwork hypernetwork, Hypernetwork.Provenance provenance) {
        Map<Object, Object> root = new LinkedHashMap<>();
        for (int size : hypernetwork.sizes()) {
            root.put(size, PickleTuple.of(stateDict(hypernetwork, size, 0), stateDict(hypernetwork, size, 1)));
        }
        root.putAll(fields(hypernetwork, provenance));
        TorchPickleWriter.write(target, root);
    }

    /**
     * Writes the flattened {@code .safetensors} twin (atomically), with {@code extra} metadata (e.g. the
     * training run's provenance) after A1111's fields.
     */
    public static void writeSafetensors(Path target, Hypernetwork hypernetwork, Hypernetwork.Provenance provenance,
            Map<String, String> extra) {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        hypernetwork.parameters().named().forEach((name, array) -> tensors.put(name, Tensors.toHost(array)));
        Map<String, String> metadata = new LinkedHashMap<>();
        fields(hypernetwork, provenance).forEach((key, value) -> metadata.put(key, TorchPickleWriter.json(value)));
        metadata.put("format", FLAT_FORMAT);
        metadata.put("sizes", TorchPickleWriter.json(hypernetwork.sizes()));
        metadata.putAll(extra);
        SafetensorsWriter.write(target, tensors, metadata);
    }

    /** One module's state dict: its tensors under their keys within the module. */
    private static Map<String, HostTensor> stateDict(Hypernetwork hypernetwork, int size, int module) {
        String prefix = size + "." + module + ".";
        Map<String, HostTensor> state = new LinkedHashMap<>();
        hypernetwork.parameters().named().forEach((name, array) -> {
            if (name.startsWith(prefix)) {
                state.put(name.substring(prefix.length()), Tensors.toHost(array));
            }
        });
        return state;
    }

    /** The non-tensor fields in the order A1111's {@code Hypernetwork.save} writes them. */
    private static Map<String, Object> fields(Hypernetwork hypernetwork, Hypernetwork.Provenance provenance) {
        Map<String, Object> config = hypernetwork.config().fields();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("step", provenance.step());
        f.put("name", provenance.name());
        for (String key : List.of("layer_structure", "activation_func", "is_layer_norm", "weight_initialization")) {
            f.put(key, config.get(key));
        }
        f.put("sd_checkpoint", provenance.sdCheckpoint());
        f.put("sd_checkpoint_name", provenance.sdCheckpointName());
        for (String key : List.of("activate_output", "use_dropout", "dropout_structure", "last_layer_dropout")) {
            f.put(key, config.get(key));
        }
        f.put("optional_info", provenance.optionalInfo());
        return f;
    }

    private static String text(Map<String, String> fields, String key, String fallback) {
        JsonElement value = parse(fields, key);
        return value == null || value.isJsonNull() ? fallback : value.getAsString();
    }

    private static double number(Map<String, String> fields, String key) {
        JsonElement value = parse(fields, key);
        return value == null || value.isJsonNull() ? 0 : value.getAsDouble();
    }

    private static JsonElement parse(Map<String, String> fields, String key) {
        String text = fields.get(key);
        if (text == null) {
            return null;
        }
        try {
            return JsonParser.parseString(text);
        } catch (RuntimeException e) {
            throw new DiffijException("the hypernetwork field " + key + " is not a value (" + text + ")");
        }
    }
}
