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
        int[] channels = c.integers("block_out_channels");
        int levels = channels.length;
        List<String> down = c.strings("down_block_types");
        List<String> up = json.has("up_block_types") ? c.strings("up_block_types") : List.of();
        if (down.size() != levels || (!up.isEmpty() && up.size() != levels)) {
            throw new DiffijException(what + ": config.json has " + levels + " block_out_channels but "
                    + down.size() + " down_block_types and " + up.size() + " up_block_types");
        }
        int[] heads = c.has("num_attention_heads") ? c.perLevel("num_attention_heads", levels, 8)
                : c.perLevel("attention_head_dim", levels, 8);
        String addition = c.string("addition_embed_type");
        return new UNet2DConditionConfig(
                c.integer("in_channels", 4),
                c.integer("out_channels", 4),
                channels,
                down,
                up,
                c.perLevel("layers_per_block", levels, 2),
                heads,
                c.perLevel("cross_attention_dim", levels, 1280),
                c.perLevel("transformer_layers_per_block", levels, 1),
                c.bool("use_linear_projection", false),
                c.bool("upcast_attention", false),
                c.integer("norm_num_groups", 32),
                c.number("norm_eps", 1e-5f),
                c.bool("flip_sin_to_cos", true),
                c.number("freq_shift", 0),
                c.integer("time_embedding_dim", channels[0] * 4),
                c.integer("downsample_padding", 1),
                c.number("mid_block_scale_factor", 1),
                c.number("resnet_out_scale_factor", 1),
                c.integer("conv_in_kernel", 3),
                c.integer("conv_out_kernel", 3),
                addition,
                addition == null ? 0 : c.requiredInteger("addition_time_embed_dim"),
                addition == null ? 0 : c.requiredInteger("projection_class_embeddings_input_dim"));
    }

    public int levels() {
        return blockOutChannels.length;
    }
}
