package org.diffij.models.controlnet;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.diffij.models.ConfigReader;
import org.diffij.models.unet.UNet2DConditionConfig;

/**
 * A {@code ControlNetModel} config: the UNet-shaped part (down path, mid block, time embedding) and
 * the conditioning embedding.
 *
 * @param bgr whether the conditioning image is expected in BGR channel order
 * @param globalPoolConditions whether residuals are averaged over the image (shuffle-style ControlNets)
 */
public record ControlNetConfig(UNet2DConditionConfig unet, int conditioningChannels,
        int[] conditioningEmbeddingOutChannels, boolean bgr, boolean globalPoolConditions) {

    public static ControlNetConfig from(JsonObject json) {
        return from(json, "ControlNetModel");
    }

    /** {@code what} names the config in messages (the ControlNet's folder). */
    public static ControlNetConfig from(JsonObject json, String what) {
        ConfigReader c = new ConfigReader(json, what);
        c.requireOneOf("controlnet_conditioning_channel_order", "rgb", "bgr");
        int[] embedding = c.has("conditioning_embedding_out_channels")
                ? c.integers("conditioning_embedding_out_channels", 1, ConfigReader.MAX_WIDTH)
                : new int[] {16, 32, 96, 256};
        c.require(embedding.length <= ConfigReader.MAX_LEVELS, "\"conditioning_embedding_out_channels\" has "
                + embedding.length + " values; at most " + ConfigReader.MAX_LEVELS + " are supported");
        return new ControlNetConfig(
                UNet2DConditionConfig.from(json, what),
                c.integer("conditioning_channels", 3, 1, 256),
                embedding,
                "bgr".equals(c.string("controlnet_conditioning_channel_order")),
                c.bool("global_pool_conditions", false));
    }

    /**
     * How this ControlNet fails to fit a UNet, in words, or null when it fits: its residuals are added
     * to the UNet's skip states one by one, so levels, widths, layers and the text width must agree, it
     * sees the latents (not an inpainting UNet's extra channels), and an SDXL ControlNet needs SDXL's
     * added conditions.
     */
    public String mismatchWith(UNet2DConditionConfig target, int latentChannels) {
        UNet2DConditionConfig own = unet;
        List<String> differences = new ArrayList<>();
        if (!Arrays.equals(own.blockOutChannels(), target.blockOutChannels())) {
            differences.add("block widths " + Arrays.toString(own.blockOutChannels()) + " (the model's "
                    + Arrays.toString(target.blockOutChannels()) + ")");
        } else if (!Arrays.equals(own.layersPerBlock(), target.layersPerBlock())) {
            differences.add("layers per block " + Arrays.toString(own.layersPerBlock()) + " (the model's "
                    + Arrays.toString(target.layersPerBlock()) + ")");
        }
        if (own.crossAttentionDim()[0] != target.crossAttentionDim()[0]) {
            differences.add("text width " + own.crossAttentionDim()[0] + " (the model's "
                    + target.crossAttentionDim()[0] + ")");
        }
        if (own.inChannels() != latentChannels) {
            differences.add(own.inChannels() + " input channels (the model's latents have " + latentChannels + ")");
        }
        if (!Objects.equals(own.additionEmbedType(), target.additionEmbedType())
                || own.projectionClassEmbeddingsInputDim() != target.projectionClassEmbeddingsInputDim()) {
            differences.add("added conditions " + own.additionEmbedType() + "/"
                    + own.projectionClassEmbeddingsInputDim() + " (the model's " + target.additionEmbedType() + "/"
                    + target.projectionClassEmbeddingsInputDim() + ")");
        }
        return differences.isEmpty() ? null : String.join(", ", differences);
    }
}
