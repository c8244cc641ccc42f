package org.diffij.models.checkpoint;

import java.util.Set;
import org.diffij.DiffijException;

/** The model family of a single-file checkpoint, told apart by the text encoders' key prefixes. */
public enum CheckpointArchitecture {
    /** SD 1.x: a transformers CLIP under {@code cond_stage_model.transformer.}. */
    SD1,
    /** SD 2.x: an OpenCLIP text tower under {@code cond_stage_model.model.}. */
    SD2,
    /** SDXL: CLIP under {@code conditioner.embedders.0.transformer.}, OpenCLIP under {@code conditioner.embedders.1.model.}. */
    SDXL;

    public static CheckpointArchitecture detect(Set<String> keys, String file) {
        boolean unet = keys.stream().anyMatch(k -> k.startsWith(SingleFileCheckpoint.UNET_PREFIX));
        if (!unet) {
            throw new DiffijException(file + ": not a Stable Diffusion checkpoint (no model.diffusion_model.* keys)");
        }
        if (keys.stream().anyMatch(k -> k.startsWith("conditioner.embedders.1.model."))) {
            return SDXL;
        }
        if (keys.stream().anyMatch(k -> k.startsWith("cond_stage_model.model."))) {
            return SD2;
        }
        if (keys.stream().anyMatch(k -> k.startsWith("cond_stage_model.transformer."))) {
            return SD1;
        }
        if (keys.stream().anyMatch(k -> k.contains("label_emb.0.0."))) {
            return SDXL;
        }
        return SD1;
    }
}
