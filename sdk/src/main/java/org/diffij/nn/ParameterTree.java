package org.diffij.nn;

import ai.djl.ndarray.NDArray;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.diffij.DiffijException;
import org.diffij.engine.Tensors;
import org.diffij.io.HostTensor;
import org.diffij.io.SafetensorsWriter;
import org.diffij.io.Weights;

/**
 * A model's parameters by their diffusers/transformers key, in the order the model was built. The
 * arrays are the ones the layers compute with (not copies): requiring a gradient here, or an
 * optimizer updating an array in place, acts on the model itself. {@link ParameterLoader} fills it;
 * it is the only list of a model's parameters.
 */
public final class ParameterTree {

    private final Map<String, NDArray> parameters = new LinkedHashMap<>();

    void add(String key, NDArray array) {
        if (parameters.putIfAbsent(key, array) != null) {
            throw new IllegalStateException("parameter " + key + " registered twice");
        }
    }

    /** Every parameter by key, in build order. */
    public Map<String, NDArray> named() {
        return Collections.unmodifiableMap(parameters);
    }

    public NDArray get(String key) {
        NDArray array = parameters.get(key);
        if (array == null) {
            throw new DiffijException("the model has no parameter '" + key + "'");
        }
        return array;
    }

    /** The keys matching a glob ({@code *} any text, {@code ?} one character), in build order. */
    public List<String> keys(String glob) {
        Pattern pattern = globPattern(glob);
        List<String> keys = new ArrayList<>();
        for (String key : parameters.keySet()) {
            if (pattern.matcher(key).matches()) {
                keys.add(key);
            }
        }
        return keys;
    }

    /** Stops or starts gradient collection for the parameters whose key matches {@code glob}; returns how many. */
    public int setTrainable(String glob, boolean trainable) {
        List<String> keys = keys(glob);
        if (keys.isEmpty()) {
            throw new DiffijException("no parameter matches '" + glob + "'");
        }
        for (String key : keys) {
            Autograd.requireGradient(parameters.get(key), trainable);
        }
        return keys.size();
    }

    /** The parameters that collect gradients, by key. */
    public Map<String, NDArray> trainable() {
        Map<String, NDArray> trainable = new LinkedHashMap<>();
        parameters.forEach((key, array) -> {
            if (Autograd.requiresGradient(array)) {
                trainable.put(key, array);
            }
        });
        return trainable;
    }

    /** Total elements of all parameters. */
    public long count() {
        return parameters.values().stream().mapToLong(NDArray::size).sum();
    }

    /** The current values as float32 host tensors in standard layout, under {@code rename(key)}. */
    public Map<String, HostTensor> toHost(UnaryOperator<String> rename) {
        Map<String, HostTensor> host = new LinkedHashMap<>();
        parameters.forEach((key, array) -> host.put(rename.apply(key), Tensors.toHost(array)));
        return host;
    }

    /** The current values as a source a model of the same config loads from (a lookup by key). */
    public Weights asWeights() {
        return new Weights() {
            @Override
            public Set<String> names() {
                return Collections.unmodifiableSet(parameters.keySet());
            }

            @Override
            public HostTensor read(String name) {
                return Tensors.toHost(get(name));
            }
        };
    }

    /** Writes the parameters as one safetensors file under their own keys (temporary file, then renamed). */
    public void write(Path file, Map<String, String> metadata) {
        SafetensorsWriter.write(file, toHost(UnaryOperator.identity()), metadata);
    }

    static Pattern globPattern(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }
}
