package org.diffij.models.vae;

import com.google.gson.JsonObject;
import java.util.List;
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
        return from(json, "AutoencoderKL");
    }

    /** {@code what} names the config in messages (the component's folder). */
    public static AutoencoderKLConfig from(JsonObject json, String what) {
        ConfigReader c = new ConfigReader(json, what);
        c.requireOneOf("act_fn", "silu");
        int[] channels = c.integers("block_out_channels", 1, ConfigReader.MAX_WIDTH);
        c.require(channels.length <= ConfigReader.MAX_LEVELS, "has " + channels.length
                + " block_out_channels; at most " + ConfigReader.MAX_LEVELS + " levels are supported");
        checkTypes(c, "down_block_types", "DownEncoderBlock2D", channels.length);
        checkTypes(c, "up_block_types", "UpDecoderBlock2D", channels.length);
        int groups = c.integer("norm_num_groups", 32, 1, ConfigReader.MAX_WIDTH);
        for (int channel : channels) {
            c.require(channel % groups == 0, "\"block_out_channels\" " + channel
                    + " is not divisible by \"norm_num_groups\" " + groups);
        }
        AutoencoderKLConfig config = new AutoencoderKLConfig(
                c.integer("in_channels", 3, 1, 256),
                c.integer("out_channels", 3, 1, 256),
                c.integer("latent_channels", 4, 1, 256),
                channels,
                c.integer("layers_per_block", 1, 1, ConfigReader.MAX_DEPTH),
                groups,
                c.number("scaling_factor", 0.18215f, Float.MIN_VALUE, 1e6f),
                c.number("shift_factor", 0f, -1e6f, 1e6f),
                c.bool("use_quant_conv", true),
                c.bool("use_post_quant_conv", true),
                c.bool("mid_block_add_attention", true));
        c.requireFits(config.estimatedParameters());
        return config;
    }

    /**
     * The parameter count this config implies, to within a small factor: encoder and decoder
     * resnets (two 3x3 convolutions each) per level and both mid blocks with their attention.
     */
    public double estimatedParameters() {
        double total = 0;
        for (int channel : blockOutChannels) {
            double c = channel;
            total += (2 * layersPerBlock + 1) * 18 * c * c;
        }
        double last = blockOutChannels[blockOutChannels.length - 1];
        return total + 2 * (36 * last * last + 4 * last * last);
    }

    private static void checkTypes(ConfigReader c, String key, String supported, int levels) {
        List<String> types = c.strings(key);
        c.require(types.size() == levels && types.stream().allMatch(supported::equals), "\"" + key + "\" "
                + types + " is not supported; expected " + levels + " x " + supported);
    }

    /** The factor between image and latent resolution. */
    public int downscale() {
        return 1 << (blockOutChannels.length - 1);
    }
}
