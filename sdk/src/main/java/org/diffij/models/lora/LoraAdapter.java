package org.diffij.models.lora;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.diffij.DiffijException;
import org.diffij.io.HostTensor;
import org.diffij.io.WeightSet;
import org.diffij.io.Weights;

/**
 * A LoRA file resolved against the base model's components. Two key styles are read:
 * kohya / A1111 ({@code lora_unet_<path with _>.lora_down.weight}, {@code .lora_up.weight},
 * {@code .alpha}; {@code lora_te_} / {@code lora_te1_} for the text encoder, {@code lora_te2_} for
 * SDXL's second) and diffusers / PEFT ({@code unet.<path>.lora_A.weight} / {@code lora_B.weight},
 * alpha = rank unless an {@code .alpha} is stored). Kohya paths lose their dots, so they are
 * matched against the base weights' module names. Any key that is not understood, or names no
 * layer of the base model, fails the load by name.
 */
public final class LoraAdapter {

    private static final Map<String, String> KOHYA_COMPONENTS = Map.of(
            "lora_unet_", "unet",
            "lora_te_", "text_encoder",
            "lora_te1_", "text_encoder",
            "lora_te2_", "text_encoder_2");

    private final String name;
    /** Component → module → layer. */
    private final Map<String, Map<String, LoraLayer>> layers;

    private LoraAdapter(String name, Map<String, Map<String, LoraLayer>> layers) {
        this.name = name;
        this.layers = layers;
    }

    /** Reads a LoRA file for a model whose components' weights are given by component name. */
    public static LoraAdapter read(Path file, Map<String, ? extends Weights> base) {
        try (WeightSet weights = WeightSet.open(file)) {
            return parse(file.getFileName().toString(), weights, base);
        }
    }

    static LoraAdapter parse(String name, Weights lora, Map<String, ? extends Weights> base) {
        Map<String, Map<String, String>> kohyaModules = new HashMap<>();
        Map<String, Map<String, Parts>> parts = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        for (String key : new TreeSet<>(lora.names())) {
            Located at = locate(key, base, kohyaModules);
            if (at == null) {
                unknown.add(key);
                continue;
            }
            Parts p = parts.computeIfAbsent(at.component, c -> new LinkedHashMap<>())
                    .computeIfAbsent(at.module, m -> new Parts());
            HostTensor tensor = lora.read(key);
            switch (at.role) {
                case DOWN -> p.down = tensor;
                case UP -> p.up = tensor;
                case ALPHA -> p.alpha = tensor.toFloatArray()[0];
            }
        }
        Map<String, Map<String, LoraLayer>> layers = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Parts>> component : parts.entrySet()) {
            for (Map.Entry<String, Parts> module : component.getValue().entrySet()) {
                Parts p = module.getValue();
                if (p.down == null || p.up == null) {
                    unknown.add(component.getKey() + "." + module.getKey() + " (has only "
                            + (p.down == null ? "the up" : "the down") + " matrix)");
                    continue;
                }
                float alpha = Float.isNaN(p.alpha) ? p.down.shape()[0] : p.alpha;
                layers.computeIfAbsent(component.getKey(), c -> new LinkedHashMap<>())
                        .put(module.getKey(), new LoraLayer(module.getKey(), p.down, p.up, alpha));
            }
        }
        if (!unknown.isEmpty()) {
            throw new DiffijException("LoRA " + name + ": " + unknown.size() + " keys were not understood or name "
                    + "no layer of the model (" + String.join(", ", unknown.subList(0, Math.min(20, unknown.size())))
                    + (unknown.size() > 20 ? ", ..." : "") + "); is it for another base model or a format other than "
                    + "kohya/A1111 or diffusers/PEFT LoRA?");
        }
        return new LoraAdapter(name, layers);
    }

    private enum Role { DOWN, UP, ALPHA }

    private record Located(String component, String module, Role role) {
    }

    private static final class Parts {
        HostTensor down;
        HostTensor up;
        float alpha = Float.NaN;
    }

    private static Located locate(String key, Map<String, ? extends Weights> base,
            Map<String, Map<String, String>> kohyaModules) {
        for (Map.Entry<String, String> prefix : KOHYA_COMPONENTS.entrySet()) {
            if (!key.startsWith(prefix.getKey())) {
                continue;
            }
            String component = prefix.getValue();
            String rest = key.substring(prefix.getKey().length());
            int dot = rest.indexOf('.');
            if (dot < 0 || !base.containsKey(component)) {
                return null;
            }
            Role role = role(rest.substring(dot + 1), "lora_down.weight", "lora_up.weight");
            String module = kohyaModules.computeIfAbsent(component, c -> kohyaNames(base.get(c)))
                    .get(rest.substring(0, dot));
            return role == null || module == null ? null : new Located(component, module, role);
        }
        int dot = key.indexOf('.');
        String component = dot < 0 ? null : key.substring(0, dot);
        if (component == null || !base.containsKey(component)) {
            return null;
        }
        String rest = key.substring(dot + 1);
        for (String[] style : new String[][] {{".lora_A.weight", ".lora_B.weight"}, {".lora.down.weight",
                ".lora.up.weight"}}) {
            for (String suffix : new String[] {style[0], style[1], ".alpha"}) {
                if (rest.endsWith(suffix)) {
                    String module = rest.substring(0, rest.length() - suffix.length());
                    Role role = role(suffix.substring(1), style[0].substring(1), style[1].substring(1));
                    boolean known = base.get(component).contains(module + ".weight");
                    return known && role != null ? new Located(component, module, role) : null;
                }
            }
        }
        return null;
    }

    private static Role role(String suffix, String down, String up) {
        if (suffix.equals(down)) {
            return Role.DOWN;
        }
        if (suffix.equals(up)) {
            return Role.UP;
        }
        return suffix.equals("alpha") ? Role.ALPHA : null;
    }

    /** Module path with {@code _} for {@code .} → module path, for every weight of the component. */
    private static Map<String, String> kohyaNames(Weights weights) {
        Map<String, String> names = new HashMap<>();
        for (String weight : weights.names()) {
            if (weight.endsWith(".weight")) {
                String module = weight.substring(0, weight.length() - ".weight".length());
                names.put(module.replace('.', '_'), module);
            }
        }
        return names;
    }

    public String name() {
        return name;
    }

    /** The adapted layers of a component by module path (empty if the LoRA does not touch it). */
    public Map<String, LoraLayer> layers(String component) {
        return layers.getOrDefault(component, Map.of());
    }

    public Set<String> components() {
        return layers.keySet();
    }
}
