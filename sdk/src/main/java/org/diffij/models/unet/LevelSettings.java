package org.diffij.models.unet;

/**
 * What every block of one UNet level shares: channels, resnets, attention shape and norms.
 *
 * @param in channels entering the level
 * @param out channels of the level
 * @param layers resnets (down) or resnets - 1 (up) of the level
 * @param transformerLayers {@code BasicTransformerBlock}s per attention
 */
public record LevelSettings(long in, long out, long tembChannels, int layers, int heads, long crossAttentionDim,
        int transformerLayers, int groups, float eps, boolean useLinearProjection, float resnetScale) {
}
