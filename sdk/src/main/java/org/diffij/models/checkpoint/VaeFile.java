package org.diffij.models.checkpoint;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diffij.DiffijException;
import org.diffij.io.Weights;

/**
 * A standalone VAE file as A1111 and ComfyUI users have them ({@code vae-ft-mse-840000-ema-pruned.safetensors}):
 * the LDM autoencoder's keys, with or without {@code first_stage_model.}, or already diffusers' AutoencoderKL
 * names (a lone {@code diffusion_pytorch_model.safetensors}), seen under diffusers' names.
 */
public final class VaeFile {

    private static final String PREFIX = "first_stage_model.";

    private VaeFile() {
    }

    /**
     * @param levels the number of levels of the VAE config the weights belong to (LDM numbers the
     *               decoder's levels from the bottom)
     */
    public static Weights diffusersNamed(Weights stored, int levels, Path file) {
        boolean diffusers = stored.names().stream()
                .anyMatch(n -> n.contains("down_blocks.") || n.contains("up_blocks."));
        if (diffusers) {
            return stored;
        }
        LdmVaeNames names = new LdmVaeNames(levels);
        Map<String, RenamedWeights.Source> sources = new LinkedHashMap<>();
        List<String> unmapped = new ArrayList<>();
        for (String key : stored.names()) {
            String ldm = key.startsWith(PREFIX) ? key.substring(PREFIX.length()) : key;
            String name = names.rename(ldm);
            if (name == null) {
                // EMA copies and training losses ride along in some VAE files; they are not the VAE.
                if (!key.startsWith("model_ema.") && !key.startsWith("loss.")) {
                    unmapped.add(key);
                }
                continue;
            }
            sources.put(name, new RenamedWeights.Source(key, LdmVaeNames.isAttentionProjection(name)
                    ? TensorTransform.CONV_TO_LINEAR : TensorTransform.NONE));
        }
        if (!unmapped.isEmpty()) {
            throw new DiffijException(file + " is not a VAE of this model's architecture: " + unmapped.size()
                    + " keys are not an autoencoder's (" + String.join(", ", unmapped.subList(0, Math.min(10,
                    unmapped.size()))) + "); give a VAE file (encoder.*/decoder.* weights) or a diffusers VAE folder");
        }
        if (sources.isEmpty()) {
            throw new DiffijException(file + " holds no VAE weights (encoder.*, decoder.*): give a VAE file or a "
                    + "diffusers VAE folder");
        }
        return new RenamedWeights(stored, sources);
    }
}
