package org.diffij.models.controlnet;

import com.google.gson.JsonObject;
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
}
