package org.diffij.models.unet;

import com.google.gson.JsonObject;
import java.util.List;
import org.diffij.DiffijException;
import org.diffij.models.ConfigReader;

/**
 * The hyper-parameters of a {@code UNet2DConditionModel} from its {@code config.json}; per-level
 * lists are expanded so that index {@code i} is down level {@code i}. SD1.5, SD2.x and SDXL are all
 * values of this record.
 *
 * @param headsPerLevel attention heads per level: {@code num_attention_heads}, or, as diffusers
 *     reads its legacy naming, {@code attention_head_dim}
 * @param additionEmbedType null or {@code text_time} (SDXL's pooled-text and size conditioning)
 * @param upcastAttention SD2.x's request to compute attention scores in float32: always so here,
 *     since the models compute in float32 on CPU and the fused attention accumulates in float32 on GPU
 */
public record UNet2DConditionConfig(
        int inChannels,
        int outChannels,
        int[] blockOutChannels,
        List<String> downBlockTypes,
        List<String> upBlockTypes,
        int[] layersPerBlock,
        int[] headsPerLevel,
        int[] crossAttentionDim,
        int[] transformerLayersPerBlock,
        boolean useLinearProjection,
        boolean upcastAttention,
        int normNumGroups,
        float normEps,
        boolean flipSinToCos,
        float freqShift,
        int timeEmbedDim,
        int downsamplePadding,
        float midBlockScaleFactor,
        float resnetOutScaleFactor,
        int convInKernel,
        int convOutKernel,
        String additionEmbedType,
        int additionTimeEmbedDim,
        int projectionClassEmbeddingsInputDim) {

    public static UNet2DConditionConfig from(JsonObject json) {
        return from(json, "UNet2DConditionModel");
    }

    /** Also reads the UNet-shaped part of a ControlNet config (which has no up blocks). */
    public static UNet2DConditionConfig from(JsonObject json, String what) {
        ConfigReader c = new ConfigReader(json, what);
        c.requireOneOf("act_fn", "silu");
        c.requireOneOf("time_embedding_type", "positional");
        c.requireOneOf("class_embed_type");
        c.requireOneOf("encoder_hid_dim_type");
        c.requireOneOf("time_cond_proj_dim");
        c.requireOneOf("timestep_post_act");
        c.requireOneOf("time_embedding_act_fn");
        c.requireOneOf("addition_embed_type", "text_time");
        c.requireOneOf("resnet_time_scale_shift", "default");
        c.requireOneOf("mid_block_type", "UNetMidBlock2DCrossAttn");
        c.requireOneOf("only_cross_attention", "false");
        c.requireOneOf("dual_cross_attention", "false");
        c.requireOneOf("attention_type", "default");
        c.requireOneOf("center_input_sample", "false");
        c.requireOneOf("reverse_transformer_layers_per_block");
        int[] channels = c.integers("block_out_channels", 1, ConfigReader.MAX_WIDTH);
        int levels = channels.length;
        c.require(levels <= ConfigReader.MAX_LEVELS, "has " + levels + " block_out_channels; at most "
                + ConfigReader.MAX_LEVELS + " levels are supported");
        List<String> down = c.strings("down_block_types");
        List<String> up = json.has("up_block_types") ? c.strings("up_block_types") : List.of();
        if (down.size() != levels || (!up.isEmpty() && up.size() != levels)) {
            throw new DiffijException(what + ": config.json has " + levels + " block_out_channels but "
                    + down.size() + " down_block_types and " + up.size() + " up_block_types");
        }
        requireTypes(c, "down_block_types", down, "DownBlock2D", "CrossAttnDownBlock2D");
        requireTypes(c, "up_block_types", up, "UpBlock2D", "CrossAttnUpBlock2D");
        String headsKey = c.has("num_attention_heads") ? "num_attention_heads" : "attention_head_dim";
        int[] heads = c.perLevel(headsKey, levels, 8, 1, ConfigReader.MAX_WIDTH);
        int groups = c.integer("norm_num_groups", 32, 1, ConfigReader.MAX_WIDTH);
        for (int i = 0; i < levels; i++) {
            c.require(channels[i] % groups == 0, "\"block_out_channels\" " + channels[i] + " (level " + i
                    + ") is not divisible by \"norm_num_groups\" " + groups);
            c.require(channels[i] % heads[i] == 0, "\"block_out_channels\" " + channels[i] + " (level " + i
                    + ") is not divisible by \"" + headsKey + "\" " + heads[i]);
        }
        String addition = c.string("addition_embed_type");
        UNet2DConditionConfig config = new UNet2DConditionConfig(
                c.integer("in_channels", 4, 1, 256),
                c.integer("out_channels", 4, 1, 256),
                channels,
                down,
                up,
                c.perLevel("layers_per_block", levels, 2, 1, ConfigReader.MAX_DEPTH),
                heads,
                c.perLevel("cross_attention_dim", levels, 1280, 1, ConfigReader.MAX_WIDTH),
                c.perLevel("transformer_layers_per_block", levels, 1, 1, ConfigReader.MAX_DEPTH),
                c.bool("use_linear_projection", false),
                c.bool("upcast_attention", false),
                groups,
                c.number("norm_eps", 1e-5f, Float.MIN_VALUE, 1),
                c.bool("flip_sin_to_cos", true),
                c.number("freq_shift", 0, -1e6f, 1e6f),
                c.integer("time_embedding_dim", channels[0] * 4, 1, 4 * ConfigReader.MAX_WIDTH),
                c.integer("downsample_padding", 1, 0, 3),
                c.number("mid_block_scale_factor", 1, -1e6f, 1e6f),
                c.number("resnet_out_scale_factor", 1, Float.MIN_VALUE, 1e6f),
                oddKernel(c, "conv_in_kernel"),
                oddKernel(c, "conv_out_kernel"),
                addition,
                addition == null ? 0 : c.requiredInteger("addition_time_embed_dim", 1, ConfigReader.MAX_WIDTH),
                addition == null ? 0 : c.requiredInteger("projection_class_embeddings_input_dim", 1,
                        16 * ConfigReader.MAX_WIDTH));
        c.requireFits(config.estimatedParameters());
        return config;
    }

    private static void requireTypes(ConfigReader c, String key, List<String> types, String... supported) {
        for (String type : types) {
            c.require(List.of(supported).contains(type), "\"" + key + "\" holds '" + type + "'; supported: "
                    + String.join(", ", supported));
        }
    }

    private static int oddKernel(ConfigReader c, String key) {
        int kernel = c.integer(key, 3, 1, 7);
        c.require(kernel % 2 == 1, "\"" + key + "\" = " + kernel + " must be odd (1, 3, 5 or 7)");
        return kernel;
    }

    /**
     * The parameter count this config implies, to within a small factor: per level its resnets
     * (two 3x3 convolutions each) and transformer layers (self- and cross-attention, GEGLU feed
     * forward), the up path with its wider skip inputs, and the mid block. Used to refuse configs
     * that cannot fit before anything is allocated.
     */
    public double estimatedParameters() {
        double total = 0;
        for (int i = 0; i < levels(); i++) {
            double c = blockOutChannels[i];
            double attention = transformerLayersPerBlock[i] * (18 * c * c + 2 * c * crossAttentionDim[i]);
            boolean attends = downBlockTypes.get(i).startsWith("CrossAttn");
            total += layersPerBlock[i] * (18 * c * c + (attends ? attention : 0));
            if (!upBlockTypes.isEmpty()) {
                total += (layersPerBlock[i] + 1) * (27 * c * c + (attends ? attention : 0));
            }
        }
        double last = blockOutChannels[levels() - 1];
        total += 36 * last * last + transformerLayersPerBlock[levels() - 1]
                * (18 * last * last + 2 * last * crossAttentionDim[levels() - 1]);
        return total + (double) timeEmbedDim * (blockOutChannels[0] + timeEmbedDim)
                + (double) projectionClassEmbeddingsInputDim * timeEmbedDim;
    }

    public int levels() {
        return blockOutChannels.length;
    }
}
