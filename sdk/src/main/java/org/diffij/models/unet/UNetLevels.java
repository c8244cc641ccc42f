package org.diffij.models.unet;

import java.util.ArrayList;
import java.util.List;
import org.diffij.DiffijException;
import org.diffij.nn.Params;

/** Builds the down path and mid block from a config; shared by the UNet and the ControlNet, whose down paths are equal. */
public final class UNetLevels {

    private UNetLevels() {
    }

    public static List<UNetDownBlock> downBlocks(Params p, UNet2DConditionConfig c) {
        List<UNetDownBlock> blocks = new ArrayList<>();
        int[] channels = c.blockOutChannels();
        for (int i = 0; i < c.levels(); i++) {
            long in = i == 0 ? channels[0] : channels[i - 1];
            LevelSettings s = settings(c, i, in, channels[i], c.layersPerBlock()[i]);
            boolean last = i == c.levels() - 1;
            Params block = p.at("down_blocks", i);
            String type = c.downBlockTypes().get(i);
            switch (type) {
                case "CrossAttnDownBlock2D" -> blocks.add(new CrossAttnDownBlock2D(block, s, !last,
                        c.downsamplePadding()));
                case "DownBlock2D" -> blocks.add(new DownBlock2D(block, s, !last, c.downsamplePadding()));
                default -> throw unsupported("down block type", type);
            }
        }
        return blocks;
    }

    public static UNetMidBlock2DCrossAttn midBlock(Params p, UNet2DConditionConfig c) {
        int last = c.levels() - 1;
        int channels = c.blockOutChannels()[last];
        LevelSettings s = settings(c, last, channels, channels, 1);
        return new UNetMidBlock2DCrossAttn(p.at("mid_block"), new LevelSettings(s.in(), s.out(), s.tembChannels(),
                s.layers(), s.heads(), s.crossAttentionDim(), s.transformerLayers(), s.groups(), s.eps(),
                s.useLinearProjection(), c.midBlockScaleFactor()));
    }

    /** The up blocks, level {@code levels-1} first; their per-level values are the down path's reversed. */
    public static List<UNetUpBlock> upBlocks(Params p, UNet2DConditionConfig c) {
        List<UNetUpBlock> blocks = new ArrayList<>();
        int n = c.levels();
        int[] channels = c.blockOutChannels();
        int out = channels[n - 1];
        for (int i = 0; i < n; i++) {
            int level = n - 1 - i;
            int previousOut = out;
            out = channels[level];
            int skipIn = channels[Math.max(level - 1, 0)];
            LevelSettings s = settings(c, level, skipIn, out, c.layersPerBlock()[level] + 1);
            boolean last = i == n - 1;
            Params block = p.at("up_blocks", i);
            String type = c.upBlockTypes().get(i);
            switch (type) {
                case "CrossAttnUpBlock2D" -> blocks.add(new CrossAttnUpBlock2D(block, s, previousOut, !last));
                case "UpBlock2D" -> blocks.add(new UpBlock2D(block, s, previousOut, !last));
                default -> throw unsupported("up block type", type);
            }
        }
        return blocks;
    }

    private static LevelSettings settings(UNet2DConditionConfig c, int level, long in, long out, int layers) {
        if (out % c.headsPerLevel()[level] != 0) {
            throw new DiffijException("UNet config: level " + level + " has " + out + " channels, not divisible by "
                    + c.headsPerLevel()[level] + " attention heads");
        }
        return new LevelSettings(in, out, c.timeEmbedDim(), layers, c.headsPerLevel()[level],
                c.crossAttentionDim()[level], c.transformerLayersPerBlock()[level], c.normNumGroups(), c.normEps(),
                c.useLinearProjection(), c.resnetOutScaleFactor());
    }

    private static DiffijException unsupported(String what, String type) {
        return new DiffijException("UNet config: " + what + " '" + type + "' is not supported");
    }
}
