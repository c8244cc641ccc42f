package org.diffij.models.hypernetwork;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonParser;
import com.google.gson.JsonSyntaxException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diffij.DiffijException;

/**
 * The architecture fields of an A1111 hypernetwork file, under A1111's names: per context width two
 * modules (keys, values), each {@code Linear(d·ls[i], d·ls[i+1])} for consecutive
 * {@code layer_structure} entries, the activation after every Linear but the last (after the last too
 * with {@code activate_output}), a LayerNorm after each with {@code is_layer_norm}, and a Dropout of
 * {@code dropout_structure[i+1]} after Linear i where that is above 0.
 *
 * @param weightInitialization how new modules are initialised: Normal, XavierUniform, XavierNormal,
 *     KaimingUniform or KaimingNormal (recorded in the file, no effect on a loaded one)
 * @param useDropout           A1111's switch, recorded; {@code dropoutStructure} is what applies
 * @param lastLayerDropout     whether the layer before the output has dropout, recorded as A1111 derives it
 */
public record HypernetworkConfig(List<Double> layerStructure, HypernetworkActivation activation, boolean isLayerNorm,
        String weightInitialization, boolean useDropout, List<Double> dropoutStructure, boolean activateOutput,
        boolean lastLayerDropout) {

    public static final List<String> WEIGHT_INITIALIZATIONS = List.of("Normal", "XavierUniform", "XavierNormal",
            "KaimingUniform", "KaimingNormal");

    public HypernetworkConfig {
        layerStructure = List.copyOf(layerStructure);
        dropoutStructure = List.copyOf(dropoutStructure);
        if (layerStructure.size() < 2 || layerStructure.get(0) != 1 || layerStructure.get(layerStructure.size() - 1) != 1) {
            throw new DiffijException("a hypernetwork layer structure starts and ends with 1, e.g. 1,2,1, not "
                    + layerStructure);
        }
        for (double size : layerStructure) {
            if (!(size > 0 && size <= 64)) {
                throw new DiffijException("hypernetwork layer sizes must lie in (0, 64], not " + layerStructure);
            }
        }
        if (dropoutStructure.size() != layerStructure.size()) {
            throw new DiffijException("the dropout structure " + dropoutStructure + " needs one value per layer "
                    + "structure entry " + layerStructure);
        }
        for (double p : dropoutStructure) {
            if (!(p >= 0 && p < 1)) {
                throw new DiffijException("dropout probabilities must lie in [0, 1), not " + dropoutStructure);
            }
        }
        if (dropoutStructure.get(0) != 0 || dropoutStructure.get(dropoutStructure.size() - 1) != 0) {
            throw new DiffijException("the dropout structure starts and ends with 0 (dropout only between layers), "
                    + "not " + dropoutStructure);
        }
        if (!WEIGHT_INITIALIZATIONS.contains(weightInitialization)) {
            throw new DiffijException("weight initialization must be one of " + String.join(", ",
                    WEIGHT_INITIALIZATIONS) + ", not '" + weightInitialization + "'");
        }
    }

    /**
     * A new hypernetwork's fields as A1111's "Create hypernetwork" makes them: no output activation,
     * the given dropout structure only when {@code useDropout} (zeros otherwise, or when none is
     * given), {@code last_layer_dropout} read off the structure as A1111's save does.
     */
    public static HypernetworkConfig create(List<Double> layerStructure, HypernetworkActivation activation,
            boolean layerNorm, String weightInitialization, boolean useDropout, List<Double> dropoutStructure) {
        List<Double> dropout = useDropout && dropoutStructure != null && !dropoutStructure.isEmpty()
                ? dropoutStructure : zeros(layerStructure.size());
        boolean last = dropout.size() >= 2 && dropout.get(dropout.size() - 2) != 0;
        return new HypernetworkConfig(layerStructure, activation, layerNorm, weightInitialization, useDropout, dropout,
                false, last);
    }

    /**
     * The config of a file's fields, as {@code json.dumps} text by field name (the metadata of the
     * flattened pickle), with A1111's defaults for missing fields: layer structure 1,2,1, no
     * activation, no layer norm, Normal, output activated, and a dropout structure from
     * {@code use_dropout} and {@code last_layer_dropout} when the file has none.
     */
    public static HypernetworkConfig fromFields(Map<String, String> fields, String source) {
        try {
            List<Double> layers = numbers(field(fields, "layer_structure"), List.of(1.0, 2.0, 1.0));
            JsonElement activation = field(fields, "activation_func");
            boolean layerNorm = bool(field(fields, "is_layer_norm"), false);
            JsonElement init = field(fields, "weight_initialization");
            boolean activateOutput = bool(field(fields, "activate_output"), true);
            boolean lastLayerDropout = bool(field(fields, "last_layer_dropout"), false);
            List<Double> dropout = numbers(field(fields, "dropout_structure"), null);
            boolean useDropout = dropout != null && dropout.stream().anyMatch(p -> p != 0)
                    || bool(field(fields, "use_dropout"), false);
            if (dropout == null) {
                dropout = useDropout ? defaultDropout(layers, lastLayerDropout) : zeros(layers.size());
            }
            return new HypernetworkConfig(layers, HypernetworkActivation.of(activation.isJsonNull() ? null
                    : activation.getAsString()), layerNorm, init.isJsonNull() ? "Normal" : init.getAsString(),
                    useDropout, dropout, activateOutput, lastLayerDropout);
        } catch (DiffijException e) {
            throw new DiffijException(source + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new DiffijException(source + ": a hypernetwork field has a value of the wrong kind ("
                    + e.getMessage() + "); it is not an A1111 hypernetwork", e);
        }
    }

    /** The fields as A1111's {@code Hypernetwork.save} writes them, in its order, as pickle values. */
    Map<String, Object> fields() {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("layer_structure", new ArrayList<Object>(layerStructure));
        f.put("activation_func", activation.key());
        f.put("is_layer_norm", isLayerNorm);
        f.put("weight_initialization", weightInitialization);
        f.put("activate_output", activateOutput);
        f.put("use_dropout", useDropout);
        // A1111 writes the zeros of an unused dropout structure as ints.
        f.put("dropout_structure", new ArrayList<Object>(dropoutStructure.stream()
                .map(p -> p == 0 ? (Object) 0 : (Object) p).toList()));
        f.put("last_layer_dropout", lastLayerDropout);
        return f;
    }

    /** A1111's {@code parse_dropout_structure}: 0.3 after every hidden layer but the last, which has it when asked. */
    private static List<Double> defaultDropout(List<Double> layers, boolean lastLayerDropout) {
        List<Double> dropout = new ArrayList<>();
        dropout.add(0.0);
        for (int i = 0; i < layers.size() - 3; i++) {
            dropout.add(0.3);
        }
        if (layers.size() >= 3) {
            dropout.add(lastLayerDropout ? 0.3 : 0.0);
        }
        dropout.add(0.0);
        return dropout;
    }

    private static List<Double> zeros(int n) {
        return Collections.nCopies(n, 0.0);
    }

    private static JsonElement field(Map<String, String> fields, String key) {
        String text = fields.get(key);
        if (text == null) {
            return JsonNull.INSTANCE;
        }
        try {
            return JsonParser.parseString(text);
        } catch (JsonSyntaxException e) {
            throw new DiffijException("field " + key + " is not a value (" + text + ")");
        }
    }

    private static List<Double> numbers(JsonElement value, List<Double> fallback) {
        if (value.isJsonNull()) {
            return fallback;
        }
        JsonArray array = value.getAsJsonArray();
        List<Double> out = new ArrayList<>();
        array.forEach(e -> out.add(e.getAsDouble()));
        return out;
    }

    private static boolean bool(JsonElement value, boolean fallback) {
        return value.isJsonNull() ? fallback : value.getAsBoolean();
    }
}
