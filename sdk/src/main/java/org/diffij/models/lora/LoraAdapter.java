package org.diffij.models.lora;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.diffij.DiffijException;
import org.diffij.io.HostTensor;
import org.diffij.io.WeightSet;
import org.diffij.io.Weights;

/**
 * An adapter file (LoRA and the LyCORIS family) resolved against the base model's components.
 * Names: kohya / A1111 / LyCORIS ({@code lora_unet_…}, with diffusers-style or, as kohya writes
 * SDXL, LDM-style UNet paths; {@code lora_te_}, {@code lora_te1_}, {@code lora_te2_}), diffusers /
 * PEFT ({@code unet.<module>.lora_A.weight}, {@code .lora.down.weight},
 * {@code .lora_linear_layer.down.weight}) and the older diffusers attention-processor layout
 * ({@code …attn1.processor.to_q_lora.down.weight}). Algorithms: see {@link LoraLayer}. Every key must
 * be understood and name a layer of the base model, and every layer's tensors must fit it: else the
 * load fails naming the keys.
 */
public final class LoraAdapter {

    /** Names listed in a message: enough to recognise the pattern, short enough for one line. */
    private static final int NAMES_SHOWN = 5;

    private final String name;
    /** Component → module → layer. */
    private final Map<String, Map<String, LoraLayer>> layers;
    private final Set<String> namings;

    private LoraAdapter(String name, Map<String, Map<String, LoraLayer>> layers, Set<String> namings) {
        this.name = name;
        this.layers = layers;
        this.namings = namings;
    }

    /** Reads an adapter file for a model whose components' weights are given by component name. */
    public static LoraAdapter read(Path file, Map<String, ? extends Weights> base) {
        try (WeightSet weights = WeightSet.open(file)) {
            return parse(file.getFileName().toString(), weights, base);
        }
    }

    static LoraAdapter parse(String name, Weights file, Map<String, ? extends Weights> base) {
        Map<String, Set<String>> modules = new LinkedHashMap<>();
        for (Map.Entry<String, ? extends Weights> component : base.entrySet()) {
            Set<String> names = new TreeSet<>();
            for (String weight : component.getValue().names()) {
                if (weight.endsWith(".weight")) {
                    names.add(weight.substring(0, weight.length() - ".weight".length()));
                }
            }
            modules.put(component.getKey(), names);
        }
        Map<String, KohyaNames.Target> kohya = null;
        Map<KohyaNames.Target, Map<String, HostTensor>> parts = new LinkedHashMap<>();
        Map<KohyaNames.Target, String> layerKeys = new LinkedHashMap<>();
        Set<String> namings = new TreeSet<>();
        List<String> unknown = new ArrayList<>();
        for (String key : new TreeSet<>(file.names())) {
            LoraKey k = LoraKey.parse(key);
            KohyaNames.Target target = null;
            if (k != null && k.naming() == LoraKey.Naming.KOHYA) {
                if (kohya == null) {
                    boolean xl = base.containsKey("text_encoder_2");
                    kohya = KohyaNames.ofUNetWeights(base.containsKey("unet") ? base.get("unet").names() : Set.of(), xl)
                            .index(modules);
                }
                target = kohya.get(k.target());
            } else if (k != null) {
                target = dotted(k.target(), modules);
            }
            if (target == null) {
                unknown.add(key);
                continue;
            }
            namings.add(k.naming() == LoraKey.Naming.KOHYA && target.component().equals("unet")
                    && k.target().matches("lora_unet_(input_blocks|middle_block|output_blocks|time_embed|label_emb|out)_.*")
                    ? "kohya/LyCORIS (LDM UNet names)" : k.naming().label);
            HostTensor tensor = file.read(key);
            if (parts.computeIfAbsent(target, t -> new LinkedHashMap<>()).put(k.part(), tensor) != null) {
                throw new DiffijException("adapter " + name + ": two keys give the " + k.part() + " of "
                        + target.component() + "." + target.module() + " (one is " + key + ")");
            }
            layerKeys.putIfAbsent(target, k.target());
        }
        if (!unknown.isEmpty()) {
            throw new DiffijException("adapter " + name + ": " + unknown.size() + " keys were not understood or name "
                    + "no layer of the model (" + shown(unknown) + "); is it for another base model, or a format other "
                    + "than kohya/LyCORIS or diffusers/PEFT?");
        }
        Map<String, Map<String, LoraLayer>> layers = new LinkedHashMap<>();
        for (Map.Entry<KohyaNames.Target, Map<String, HostTensor>> e : parts.entrySet()) {
            KohyaNames.Target target = e.getKey();
            LoraLayer layer = layer(name, layerKeys.get(target), target.module(), e.getValue());
            Weights component = base.get(target.component());
            String bias = target.module() + ".bias";
            layer.validate(name, component.read(target.module() + ".weight").shape(),
                    component.contains(bias) ? component.read(bias).shape() : null);
            layers.computeIfAbsent(target.component(), c -> new LinkedHashMap<>()).put(target.module(), layer);
        }
        return new LoraAdapter(name, layers, namings);
    }

    /** A dotted {@code component.module} path, or a module path of exactly one component. */
    private static KohyaNames.Target dotted(String path, Map<String, Set<String>> modules) {
        int dot = path.indexOf('.');
        if (dot > 0 && modules.containsKey(path.substring(0, dot))
                && modules.get(path.substring(0, dot)).contains(path.substring(dot + 1))) {
            return new KohyaNames.Target(path.substring(0, dot), path.substring(dot + 1));
        }
        List<String> holders = modules.entrySet().stream().filter(c -> c.getValue().contains(path))
                .map(Map.Entry::getKey).toList();
        return holders.size() == 1 ? new KohyaNames.Target(holders.get(0), path) : null;
    }

    /** The layer the parts make: its algorithm follows from which parts are stored. */
    static LoraLayer layer(String file, String key, String module, Map<String, HostTensor> stored) {
        Map<String, HostTensor> parts = new TreeMap<>(stored);
        HostTensor alphaTensor = parts.remove("alpha");
        float alpha = Float.NaN;
        if (alphaTensor != null) {
            double[] value = alphaTensor.numel() == 1 ? alphaTensor.toDoubleArray() : new double[0];
            if (value.length != 1 || !Double.isFinite(value[0])) {
                throw new DiffijException("adapter " + file + ", layer " + key + ": alpha must be one finite number, "
                        + "not " + Arrays.toString(alphaTensor.shape()) + " " + (value.length == 1 ? value[0] : ""));
            }
            alpha = (float) value[0];
        }
        if (parts.containsKey("oft_blocks") || parts.containsKey("oft_diag") || parts.containsKey("rescale")) {
            throw new DiffijException("adapter " + file + ", layer " + key + ": LyCORIS OFT/BOFT adapters are not "
                    + "supported; use a LoRA, LoCon, LoHa, LoKr, DoRA, IA3 or full adapter");
        }
        if (parts.keySet().stream().anyMatch(p -> p.matches("[ab][12]\\.weight"))) {
            throw new DiffijException("adapter " + file + ", layer " + key + ": LyCORIS GLoRA adapters are not "
                    + "supported; use a LoRA, LoCon, LoHa, LoKr, DoRA, IA3 or full adapter");
        }
        Set<LoraAlgorithm> kinds = EnumSet.noneOf(LoraAlgorithm.class);
        for (String part : parts.keySet()) {
            LoraAlgorithm kind = algorithm(part);
            if (kind != null) {
                kinds.add(kind);
            }
        }
        if (kinds.size() != 1) {
            throw new DiffijException("adapter " + file + ", layer " + key + ": its parts " + parts.keySet()
                    + (kinds.isEmpty() ? " hold no change" : " mix " + kinds) + "; the file is damaged or of an "
                    + "unknown format");
        }
        return new LoraLayer(module, key, kinds.iterator().next(), parts, alpha);
    }

    private static LoraAlgorithm algorithm(String part) {
        if (part.equals("down") || part.equals("up") || part.equals("mid")) {
            return LoraAlgorithm.LORA;
        }
        if (part.startsWith("hada_")) {
            return LoraAlgorithm.LOHA;
        }
        if (part.startsWith("lokr_")) {
            return LoraAlgorithm.LOKR;
        }
        return switch (part) {
            case "diff", "diff_b" -> LoraAlgorithm.FULL;
            case "w_norm", "b_norm" -> LoraAlgorithm.NORM;
            case "weight", "on_input" -> LoraAlgorithm.IA3;
            default -> null;
        };
    }

    private static String shown(List<String> names) {
        return String.join(", ", names.subList(0, Math.min(NAMES_SHOWN, names.size())))
                + (names.size() > NAMES_SHOWN ? ", ..." : "");
    }

    public String name() {
        return name;
    }

    /** The adapted layers of a component by module path (empty if the adapter does not touch it). */
    public Map<String, LoraLayer> layers(String component) {
        return layers.getOrDefault(component, Map.of());
    }

    public Set<String> components() {
        return layers.keySet();
    }

    /** The naming conventions of the file's keys, e.g. {@code kohya/LyCORIS (LDM UNet names)}. */
    public Set<String> namings() {
        return namings;
    }
}
