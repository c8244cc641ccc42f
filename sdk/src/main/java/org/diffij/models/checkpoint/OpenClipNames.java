package org.diffij.models.checkpoint;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The renaming table of OpenCLIP text towers (SD2.x {@code cond_stage_model.model.*}, SDXL's
 * second encoder {@code conditioner.embedders.1.model.*}) to transformers' CLIPTextModel names and
 * back; the fused attention {@code in_proj} splits into q, k and v.
 */
final class OpenClipNames {

    private static final Map<String, String> TOP = Map.of(
            "token_embedding.weight", "text_model.embeddings.token_embedding.weight",
            "positional_embedding", "text_model.embeddings.position_embedding.weight",
            "ln_final.weight", "text_model.final_layer_norm.weight",
            "ln_final.bias", "text_model.final_layer_norm.bias");

    private static final Map<String, String> LAYER = Map.of(
            "ln_1.", "layer_norm1.",
            "ln_2.", "layer_norm2.",
            "mlp.c_fc.", "mlp.fc1.",
            "mlp.c_proj.", "mlp.fc2.",
            "attn.out_proj.", "self_attn.out_proj.");

    private static final Pattern RESBLOCK = Pattern.compile("transformer\\.resblocks\\.(\\d+)\\.(.*)");

    /** One diffusers tensor made from an OpenCLIP one. */
    record Renamed(String name, TensorTransform transform) {
    }

    private final int layers;

    /** @param layers transformer layers the diffusers encoder has (SD2 drops OpenCLIP's last one) */
    OpenClipNames(int layers) {
        this.layers = layers;
    }

    /** The diffusers tensors made from an OpenCLIP key; empty if it is not one or is not used. */
    List<Renamed> rename(String key, boolean withProjection) {
        if (TOP.containsKey(key)) {
            return List.of(new Renamed(TOP.get(key), TensorTransform.NONE));
        }
        if (key.equals("text_projection")) {
            return withProjection ? List.of(new Renamed("text_projection.weight", TensorTransform.TRANSPOSE))
                    : List.of();
        }
        Matcher m = RESBLOCK.matcher(key);
        if (!m.matches() || Integer.parseInt(m.group(1)) >= layers) {
            return List.of();
        }
        String prefix = "text_model.encoder.layers." + m.group(1) + ".";
        String rest = m.group(2);
        if (rest.startsWith("attn.in_proj_")) {
            String kind = rest.substring("attn.in_proj_".length());
            return List.of(
                    new Renamed(prefix + "self_attn.q_proj." + kind, TensorTransform.FIRST_THIRD),
                    new Renamed(prefix + "self_attn.k_proj." + kind, TensorTransform.SECOND_THIRD),
                    new Renamed(prefix + "self_attn.v_proj." + kind, TensorTransform.LAST_THIRD));
        }
        for (Map.Entry<String, String> e : LAYER.entrySet()) {
            if (rest.startsWith(e.getKey())) {
                return List.of(new Renamed(prefix + e.getValue() + rest.substring(e.getKey().length()),
                        TensorTransform.NONE));
            }
        }
        return List.of();
    }

    private static final Pattern DIFFUSERS_LAYER = Pattern.compile("text_model\\.encoder\\.layers\\.(\\d+)\\.(.*)");
    private static final Pattern PROJECTION = Pattern.compile("self_attn\\.([qkv])_proj\\.(weight|bias)");

    /**
     * Where a diffusers text-encoder tensor is stored in OpenCLIP (the inverse of {@link #rename}):
     * the stored name and the transform {@link #rename} applies to it, or null if it has none. q, k
     * and v name the three thirds of one fused {@code in_proj}.
     */
    Renamed stored(String name, boolean withProjection) {
        for (Map.Entry<String, String> e : TOP.entrySet()) {
            if (e.getValue().equals(name)) {
                return new Renamed(e.getKey(), TensorTransform.NONE);
            }
        }
        if (name.equals("text_projection.weight")) {
            return withProjection ? new Renamed("text_projection", TensorTransform.TRANSPOSE) : null;
        }
        Matcher m = DIFFUSERS_LAYER.matcher(name);
        if (!m.matches() || Integer.parseInt(m.group(1)) >= layers) {
            return null;
        }
        String prefix = "transformer.resblocks." + m.group(1) + ".";
        String rest = m.group(2);
        Matcher projection = PROJECTION.matcher(rest);
        if (projection.matches()) {
            TensorTransform third = switch (projection.group(1)) {
                case "q" -> TensorTransform.FIRST_THIRD;
                case "k" -> TensorTransform.SECOND_THIRD;
                default -> TensorTransform.LAST_THIRD;
            };
            return new Renamed(prefix + "attn.in_proj_" + projection.group(2), third);
        }
        for (Map.Entry<String, String> e : LAYER.entrySet()) {
            if (rest.startsWith(e.getValue())) {
                return new Renamed(prefix + e.getKey() + rest.substring(e.getValue().length()), TensorTransform.NONE);
            }
        }
        return null;
    }
}
