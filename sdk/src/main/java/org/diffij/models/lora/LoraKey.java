package org.diffij.models.lora;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One key of an adapter file taken apart by its naming convention: which layer it belongs to (a
 * kohya name such as {@code lora_unet_input_blocks_4_1_proj_in}, or a dotted
 * {@code component.module} path) and which part of the layer's change it holds, normalised
 * ({@code down}, {@code up}, {@code mid}, {@code alpha}, {@code hada_w1_a}, ...).
 */
record LoraKey(String key, Naming naming, String target, String part) {

    /** The naming conventions adapter files use. */
    enum Naming {
        /** kohya / A1111 / LyCORIS: {@code lora_unet_…}, {@code lora_te_…}, {@code lora_te1_…}, {@code lora_te2_…}. */
        KOHYA("kohya/LyCORIS"),
        /** diffusers / PEFT: {@code unet.<module>.lora_A.weight}, {@code .lora.down.weight}, {@code .lora_linear_layer…}. */
        DIFFUSERS("diffusers/PEFT"),
        /** Older diffusers attention processors: {@code …attn1.processor.to_q_lora.down.weight}. */
        DIFFUSERS_PROCESSOR("diffusers attention-processor");

        final String label;

        Naming(String label) {
            this.label = label;
        }
    }

    static final String[] KOHYA_PREFIXES = {"lora_unet_", "lora_te1_", "lora_te2_", "lora_te_"};

    /** Parts of kohya / LyCORIS names, after the layer name and a dot. */
    private static final Map<String, String> KOHYA_PARTS = new LinkedHashMap<>();
    /** Parts of diffusers / PEFT names, after the module path. */
    private static final Map<String, String> DIFFUSERS_PARTS = new LinkedHashMap<>();

    static {
        KOHYA_PARTS.put("lora_down.weight", "down");
        KOHYA_PARTS.put("lora_up.weight", "up");
        KOHYA_PARTS.put("lora_mid.weight", "mid");
        for (String part : new String[] {"alpha", "dora_scale", "hada_w1_a", "hada_w1_b", "hada_w2_a", "hada_w2_b",
            "hada_t1", "hada_t2", "lokr_w1", "lokr_w1_a", "lokr_w1_b", "lokr_w2", "lokr_w2_a", "lokr_w2_b", "lokr_t2",
            "diff", "diff_b", "w_norm", "b_norm", "weight", "on_input", "oft_blocks", "oft_diag", "rescale",
            "a1.weight", "a2.weight", "b1.weight", "b2.weight"}) {
            KOHYA_PARTS.put(part, part);
        }
        DIFFUSERS_PARTS.put(".lora_A.weight", "down");
        DIFFUSERS_PARTS.put(".lora_B.weight", "up");
        DIFFUSERS_PARTS.put(".lora.down.weight", "down");
        DIFFUSERS_PARTS.put(".lora.up.weight", "up");
        DIFFUSERS_PARTS.put(".lora_linear_layer.down.weight", "down");
        DIFFUSERS_PARTS.put(".lora_linear_layer.up.weight", "up");
        DIFFUSERS_PARTS.put(".lora_layer.down.weight", "down");
        DIFFUSERS_PARTS.put(".lora_layer.up.weight", "up");
        DIFFUSERS_PARTS.put(".lora_magnitude_vector", "magnitude");
        DIFFUSERS_PARTS.put(".lora_magnitude_vector.weight", "magnitude");
        DIFFUSERS_PARTS.put(".alpha", "alpha");
    }

    private static final Pattern PROCESSOR = Pattern.compile(
            "(.+)\\.processor\\.(to_q|to_k|to_v|to_out)_lora\\.(down|up)\\.weight");

    /** The key taken apart, or null when it follows no known convention. */
    static LoraKey parse(String key) {
        for (String prefix : KOHYA_PREFIXES) {
            int dot = key.indexOf('.');
            if (key.startsWith(prefix) && dot > 0) {
                String part = KOHYA_PARTS.get(key.substring(dot + 1));
                return part == null ? null : new LoraKey(key, Naming.KOHYA, key.substring(0, dot), part);
            }
        }
        String path = key.startsWith("base_model.model.") ? key.substring("base_model.model.".length()) : key;
        Matcher processor = PROCESSOR.matcher(path);
        if (processor.matches()) {
            String projection = processor.group(2).equals("to_out") ? "to_out.0" : processor.group(2);
            return new LoraKey(key, Naming.DIFFUSERS_PROCESSOR, processor.group(1) + "." + projection,
                    processor.group(3));
        }
        for (Map.Entry<String, String> part : DIFFUSERS_PARTS.entrySet()) {
            if (path.endsWith(part.getKey())) {
                return new LoraKey(key, Naming.DIFFUSERS, path.substring(0, path.length() - part.getKey().length()),
                        part.getValue());
            }
        }
        return null;
    }
}
