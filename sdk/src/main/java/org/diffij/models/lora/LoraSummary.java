package org.diffij.models.lora;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.diffij.DiffijException;
import org.diffij.io.HostTensor;
import org.diffij.io.WeightSet;

/**
 * What an adapter file is, from its keys, shapes and metadata alone (no base model): naming
 * convention, algorithms, base architecture, ranks and alphas, layers per component, and kohya's
 * {@code ss_*} training metadata.
 *
 * @param layers adapted layers by component prefix ({@code lora_unet}, {@code text_encoder}, ...)
 * @param alphas stored alphas ("rank" when a layer stores none)
 */
public record LoraSummary(Set<String> namings, Map<String, Integer> algorithms, String baseArchitecture,
        Set<Integer> ranks, Set<String> alphas, Map<String, Integer> layers, Map<String, String> training) {

    /** The summary, or null when no key of the file is an adapter key. */
    public static LoraSummary of(WeightSet file) {
        Map<String, Map<String, HostTensor>> byLayer = new TreeMap<>();
        Set<String> namings = new TreeSet<>();
        for (String key : file.names()) {
            LoraKey k = LoraKey.parse(key);
            if (k == null) {
                continue;
            }
            namings.add(k.naming() == LoraKey.Naming.KOHYA
                    && k.target().matches("lora_unet_(input_blocks|middle_block|output_blocks)_.*")
                    ? "kohya/LyCORIS (LDM UNet names)" : k.naming().label);
            byLayer.computeIfAbsent(k.target(), t -> new LinkedHashMap<>()).put(k.part(), file.read(key));
        }
        if (byLayer.isEmpty()) {
            return null;
        }
        Map<String, Integer> algorithms = new TreeMap<>();
        Set<Integer> ranks = new TreeSet<>();
        Set<String> alphas = new TreeSet<>();
        Map<String, Integer> layers = new TreeMap<>();
        String architecture = null;
        for (Map.Entry<String, Map<String, HostTensor>> e : byLayer.entrySet()) {
            String target = e.getKey();
            layers.merge(component(target), 1, Integer::sum);
            Set<String> parts = e.getValue().keySet();
            if (parts.contains("oft_blocks") || parts.contains("oft_diag") || parts.contains("a1.weight")) {
                algorithms.merge(parts.contains("a1.weight") ? "GLoRA (not supported)" : "OFT/BOFT (not supported)", 1,
                        Integer::sum);
                continue;
            }
            LoraLayer layer;
            try {
                layer = LoraAdapter.layer("", target, target, e.getValue());
            } catch (DiffijException bad) {
                algorithms.merge("unreadable", 1, Integer::sum);
                continue;
            }
            String kind = layer.algorithm().label() + (layer.hasDora() ? " + DoRA" : "")
                    + (layer.parts().containsKey("mid") || layer.parts().containsKey("hada_t1")
                    || layer.parts().containsKey("lokr_t2") ? " (Tucker)" : "");
            algorithms.merge(kind, 1, Integer::sum);
            if (layer.rank() > 0) {
                ranks.add(layer.rank());
            }
            alphas.add(Float.isNaN(layer.alpha()) ? "rank" : number(layer.alpha()));
            architecture = architecture != null ? architecture : architecture(target, layer);
        }
        Map<String, String> training = new TreeMap<>();
        file.metadata().forEach((k, v) -> {
            if (k.startsWith("ss_")) {
                training.put(k, v);
            }
        });
        String stated = file.metadata().get("ss_base_model_version");
        return new LoraSummary(namings, algorithms, stated != null ? stated + " (ss_base_model_version)"
                : architecture != null ? architecture : "unknown", ranks, alphas, layers, training);
    }

    private static String component(String target) {
        for (String prefix : LoraKey.KOHYA_PREFIXES) {
            if (target.startsWith(prefix)) {
                return prefix.substring(0, prefix.length() - 1);
            }
        }
        int dot = target.indexOf('.');
        return dot < 0 ? target : target.substring(0, dot);
    }

    /** The base model a layer's input width gives: cross-attention keys and text projections are telling. */
    private static String architecture(String target, LoraLayer layer) {
        if (target.startsWith("lora_te2_") || target.startsWith("text_encoder_2.")) {
            return "SDXL";
        }
        HostTensor down = layer.parts().getOrDefault("down", layer.parts().get("hada_w1_b"));
        if (down == null || down.shape().length < 2) {
            return null;
        }
        long in = down.shape()[1];
        if (target.matches(".*attn2[._]to_[kv]")) {
            return in == 768 ? "SD 1.x" : in == 1024 ? "SD 2.x" : in == 2048 ? "SDXL" : null;
        }
        if (target.matches(".*(lora_te_|text_encoder\\.).*self_attn[._]q_proj")) {
            return in == 768 ? "SD 1.x" : in == 1024 ? "SD 2.x" : null;
        }
        return null;
    }

    private static String number(float value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Float.toString(value);
    }
}
