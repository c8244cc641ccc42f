package org.diffij.models;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.diffij.models.unet.UNet2DConditionConfig;
import org.diffij.models.vae.AutoencoderKLConfig;

/** The full-size Stable Diffusion 1.5 UNet and VAE configs (as in runwayml/stable-diffusion-v1-5). */
public final class Sd15Configs {

    private static final String UNET = """
            {"block_out_channels": [320, 640, 1280, 1280], "layers_per_block": 2, "attention_head_dim": 8,
             "cross_attention_dim": 768, "norm_num_groups": 32, "norm_eps": 1e-5, "in_channels": 4, "out_channels": 4,
             "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"],
             "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"],
             "flip_sin_to_cos": true, "freq_shift": 0, "sample_size": 64}
            """;

    private static final String VAE = """
            {"block_out_channels": [128, 256, 512, 512], "layers_per_block": 2, "latent_channels": 4,
             "norm_num_groups": 32, "in_channels": 3, "out_channels": 3, "scaling_factor": 0.18215,
             "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D", "DownEncoderBlock2D"],
             "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D", "UpDecoderBlock2D"]}
            """;

    private Sd15Configs() {
    }

    public static UNet2DConditionConfig unet() {
        return UNet2DConditionConfig.from(json(UNET));
    }

    public static AutoencoderKLConfig vae() {
        return AutoencoderKLConfig.from(json(VAE));
    }

    private static JsonObject json(String text) {
        return JsonParser.parseString(text).getAsJsonObject();
    }
}
