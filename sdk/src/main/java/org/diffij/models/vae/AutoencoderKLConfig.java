package org.diffij.models.vae;

import com.google.gson.JsonObject;
import java.util.List;
import org.diffij.DiffijException;
import org.diffij.models.ConfigReader;

/**
 * The hyper-parameters of an {@code AutoencoderKL} from its {@code config.json}.
 *
 * @param scalingFactor what pipelines multiply latents by (0.18215 for SD1.x/2.x, 0.13025 for SDXL)
 * @param shiftFactor subtracted before scaling by some VAEs; 0 when absent
 */
public record AutoencoderKLConfig(
        int inChannels,
        int outChannels,
        int latentChannels,
        int[] blockOutChannels,
        int layersPerBlock,
        int normNumGroups,
        float scalingFactor,
        float shiftFactor,
        boolean useQuantConv,
        boolean usePostQuantConv,
        boolean midBlockAddAttention) {

    public static AutoencoderKLConfig from(JsonObject json) {
        ConfigReader c = new ConfigReader(json, "AutoencoderKL");
        c.requireOneOf("act_fn", "silu");
        int[] channels = c.integers("block_out_channels");
        checkTypes(c.strings("down_block_types"), "DownEncoderBlock2D", channels.length);
        checkTypes(c.strings("up_block_types"), "UpDecoderBlock2D", channels.length);
        return new AutoencoderKLConfig(
                c.integer("in_channels", 3),
                c.integer("out_channels", 3),
                c.integer("latent_channels", 4),
                channels,
                c.integer("layers_per_block", 1),
                c.integer("norm_num_groups", 32),
                c.number("scaling_factor", 0.18215f),
                c.number("shift_factor", 0f),
                c.bool("use_quant_conv", true),
                c.bool("use_post_quant_conv", true),
                c.bool("mid_block_add_attention", true));
    }

    private static void checkTypes(List<String> types, String supported, int levels) {
        if (types.size() != levels || types.stream().anyMatch(t -> !t.equals(supported))) {
            throw new DiffijException("AutoencoderKL config: block types " + types + " are not supported; expected "
                    + levels + " x " + supported);
        }
    }

    /** The factor between image and latent resolution. */
    public int downscale() {
        return 1 << (blockOutChannels.length - 1);
    }
}
