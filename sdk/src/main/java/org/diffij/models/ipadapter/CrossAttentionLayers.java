package org.diffij.models.ipadapter;

import java.util.ArrayList;
import java.util.List;
import org.diffij.models.unet.UNet2DConditionConfig;

/**
 * A UNet's cross-attention layers ({@code attn2} of every transformer block) in the order of
 * diffusers' {@code unet.attn_processors}: down blocks, up blocks, then the mid block. Self- and
 * cross-attention alternate in that order, so the i-th cross-attention layer is processor
 * {@code 2i + 1}, the number an IP-Adapter file gives it ({@code ip_adapter.<2i+1>.to_k_ip}).
 */
public final class CrossAttentionLayers {

    /** One cross-attention layer: its module path, heads, and inner (query/key/value) width. */
    public record Layer(String module, int heads, long innerDim, long crossAttentionDim) {
    }

    private CrossAttentionLayers() {
    }

    /** The number an IP-Adapter file gives the {@code index}-th cross-attention layer. */
    public static int adapterKey(int index) {
        return 2 * index + 1;
    }

    public static List<Layer> of(UNet2DConditionConfig c) {
        List<Layer> layers = new ArrayList<>();
        int levels = c.levels();
        for (int level = 0; level < levels; level++) {
            if (c.downBlockTypes().get(level).startsWith("CrossAttn")) {
                add(layers, c, "down_blocks." + level, level, c.layersPerBlock()[level]);
            }
        }
        for (int i = 0; i < c.upBlockTypes().size(); i++) {
            int level = levels - 1 - i;
            if (c.upBlockTypes().get(i).startsWith("CrossAttn")) {
                add(layers, c, "up_blocks." + i, level, c.layersPerBlock()[level] + 1);
            }
        }
        add(layers, c, "mid_block", levels - 1, 1);
        return List.copyOf(layers);
    }

    private static void add(List<Layer> layers, UNet2DConditionConfig c, String block, int level, int attentions) {
        for (int a = 0; a < attentions; a++) {
            for (int t = 0; t < c.transformerLayersPerBlock()[level]; t++) {
                layers.add(new Layer(block + ".attentions." + a + ".transformer_blocks." + t + ".attn2",
                        c.headsPerLevel()[level], c.blockOutChannels()[level], c.crossAttentionDim()[level]));
            }
        }
    }
}
