package org.diffij.pipelines;

import ai.djl.ndarray.NDArray;
import java.util.Locale;
import org.diffij.models.vae.AutoencoderKL;
import org.diffij.models.vae.AutoencoderKLConfig;
import org.diffij.models.vae.LatentDistribution;
import org.diffij.nn.AttentionSlicing;

/**
 * What one generation does to stay within its memory budget, decided from estimates before it
 * starts: whether the VAE decodes and encodes in tiles ({@link VaeTiling}) and how attention is
 * sliced ({@link AttentionSlicing}). The estimates are of the peak activation memory of a pass in
 * float32, from the layer shapes and a factor measured on the SD1.5 VAE.
 *
 * @param tiling  the tiles for VAE passes, or null to run them whole
 */
public record MemoryPlan(VaeTiling tiling, AttentionSlicing attention, long decodeEstimateBytes,
        long encodeEstimateBytes, long budgetBytes) {

    /**
     * Full-resolution feature maps of the widest VAE level alive at once at a pass's peak:
     * measured, a 512² SD1.5 decode (256 channels at full resolution after the last upsampler)
     * peaked 1.8 GB above its weights, i.e. about 7 such maps.
     */
    static final int LIVE_MAPS = 7;
    /** The smallest tile the automatic choice goes down to, in latents. */
    static final int MIN_AUTO_TILE = 16;

    /** The plan for a batch of {@code batch} images of {@code width × height} with {@code vae}. */
    public static MemoryPlan of(MemorySettings settings, AutoencoderKLConfig vae, int batch, int width, int height) {
        long budget = settings.budgetBytes();
        AttentionSlicing attention = switch (settings.attentionSlicing()) {
            // Score and softmax tensors of one call together within half the budget.
            case AUTO -> new AttentionSlicing(Math.max(1, budget / 4));
            case ON -> AttentionSlicing.DEFAULT;
            case OFF -> AttentionSlicing.OFF;
        };
        long decode = passBytes(vae, true, batch, height, width, attention);
        long encode = passBytes(vae, false, batch, height, width, attention);
        VaeTiling tiling = switch (settings.vaeTiling()) {
            case ON -> settings.tiling();
            case OFF -> null;
            case AUTO -> Math.max(decode, encode) <= budget ? null
                    : tilingWithin(settings.vaeTile(), vae, batch, budget, attention);
        };
        return new MemoryPlan(tiling, attention, decode, encode, budget);
    }

    /** The configured tile, halved until one tile's estimate fits (but not below {@link #MIN_AUTO_TILE}). */
    private static VaeTiling tilingWithin(int largest, AutoencoderKLConfig vae, int batch, long budget,
            AttentionSlicing attention) {
        int tile = largest;
        while (tile > MIN_AUTO_TILE) {
            int pixels = tile * vae.downscale();
            if (passBytes(vae, true, batch, pixels, pixels, attention) <= budget) {
                break;
            }
            tile /= 2;
        }
        return new VaeTiling(tile, tile / 4);
    }

    /**
     * Peak activation bytes of a VAE pass at {@code height × width} pixels: {@link #LIVE_MAPS}
     * full-resolution maps of the top level (for the decoder the wider of the two top levels: it
     * upsamples the second level's channels to full resolution), plus the mid-block attention's
     * score and softmax tensors at latent resolution as the attention policy bounds them.
     */
    static long passBytes(AutoencoderKLConfig vae, boolean decoder, int batch, long height, long width,
            AttentionSlicing attention) {
        int[] channels = vae.blockOutChannels();
        long widest = decoder && channels.length > 1 ? Math.max(channels[0], channels[1]) : channels[0];
        long maps = LIVE_MAPS * widest * batch * height * width * Float.BYTES;
        long tokens = height / vae.downscale() * (width / vae.downscale());
        long scores = AttentionSlicing.scoreBytes(batch, 1, tokens, tokens, Float.BYTES);
        return maps + 2 * Math.min(scores, attention.maxScoreBytes());
    }

    public boolean tiled() {
        return tiling != null;
    }

    /** {@code vae.decode(latents)}, in tiles when the plan says so. */
    public NDArray decode(AutoencoderKL vae, NDArray latents) {
        return tiled() ? tiling.decode(vae, latents) : vae.decode(latents);
    }

    /** {@code vae.encode(image)}, in tiles when the plan says so. */
    public LatentDistribution encode(AutoencoderKL vae, NDArray image) {
        return tiled() ? tiling.encode(vae, image) : vae.encode(image);
    }

    public String describe() {
        return String.format(Locale.ROOT, "VAE %s (estimate %.2f GB, budget %.2f GB), attention %s",
                tiled() ? "in " + tiling.tile() + "-latent tiles" : "whole", decodeEstimateBytes / 1e9,
                budgetBytes / 1e9, attention.describe());
    }
}
