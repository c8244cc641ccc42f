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
        ConfigReader c = new ConfigReader(json, "ControlNetModel");
        c.requireOneOf("controlnet_conditioning_channel_order", "rgb", "bgr");
        return new ControlNetConfig(
                UNet2DConditionConfig.from(json, "ControlNetModel"),
                c.integer("conditioning_channels", 3),
                c.has("conditioning_embedding_out_channels") ? c.integers("conditioning_embedding_out_channels")
                        : new int[] {16, 32, 96, 256},
                "bgr".equals(c.string("controlnet_conditioning_channel_order")),
                c.bool("global_pool_conditions", false));
    }
}
