package org.diffij.io;

import java.nio.file.Path;
import java.util.Set;

/** Recognises what a single weight file is from its tensor names, as users' files come unlabelled. */
public final class FileKinds {

    private FileKinds() {
    }

    /** What one weight file is, from its header (or a pickle's data.pkl) alone. */
    public static String of(Path file) {
        try (WeightFile weights = WeightFile.open(file)) {
            return detect(weights.names());
        }
    }

    public static String detect(Set<String> names) {
        if (any(names, "model.diffusion_model.")) {
            if (any(names, "conditioner.embedders.")) {
                return "single-file checkpoint, SDXL (LDM layout)";
            }
            if (any(names, "cond_stage_model.model.")) {
                return "single-file checkpoint, SD 2.x (LDM layout, OpenCLIP text encoder)";
            }
            return "single-file checkpoint, SD 1.x (LDM layout)";
        }
        if (any(names, "lora_unet_") || any(names, "lora_te")) {
            return "LoRA (kohya / A1111)";
        }
        if (names.stream().anyMatch(n -> n.contains(".lora_A.") || n.contains(".lora_B.")
                || n.contains(".lora.down.") || n.contains("lora_linear_layer"))) {
            return "LoRA (diffusers / PEFT)";
        }
        if (names.contains("emb_params") || any(names, "string_to_param")) {
            return "textual inversion (A1111)";
        }
        if (names.contains("clip_l") && names.contains("clip_g")) {
            return "textual inversion (SDXL)";
        }
        if (names.size() == 1 && !names.iterator().next().contains(".")) {
            // diffusers' learned_embeds: one tensor named by its token, e.g. "<cat-toy>".
            return "textual inversion (diffusers)";
        }
        if (!names.isEmpty() && names.stream().allMatch(n -> n.matches("\\d+\\.[01]\\.linear\\..+"))) {
            return "hypernetwork (A1111)";
        }
        if (any(names, "image_proj.") && any(names, "ip_adapter.")) {
            return "IP-Adapter";
        }
        if (any(names, "controlnet_cond_embedding.") || any(names, "input_hint_block.")) {
            return "ControlNet";
        }
        if (any(names, "down_blocks.") || any(names, "text_model.")) {
            return "diffusers/transformers component weights";
        }
        return "weights";
    }

    private static boolean any(Set<String> names, String prefix) {
        return names.stream().anyMatch(n -> n.startsWith(prefix));
    }
}
