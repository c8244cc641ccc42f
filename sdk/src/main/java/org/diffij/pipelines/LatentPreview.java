package org.diffij.pipelines;

import org.diffij.DiffijException;
import org.diffij.image.RgbImage;
import org.diffij.io.HostTensor;

/**
 * A cheap RGB preview of latents, one pixel per latent (A1111's "Approx cheap"): each pixel's RGB
 * is a fixed linear mix of its four latent channels, mapped from [-1, 1] to [0, 1] and clamped. The
 * mix was fitted per VAE family by the community (published in A1111's {@code sd_vae_approx.py});
 * it applies to latents as the sampler holds them, i.e. already multiplied by the scaling factor.
 * Microseconds per step, no model needed.
 */
public enum LatentPreview {

    /** The SD 1.x / 2.x VAE. */
    SD1(new float[][] {
        {0.298f, 0.207f, 0.208f},
        {0.187f, 0.286f, 0.173f},
        {-0.158f, 0.189f, 0.264f},
        {-0.184f, -0.271f, -0.473f}}),
    /** The SDXL VAE. */
    SDXL(new float[][] {
        {0.3448f, 0.4168f, 0.4395f},
        {-0.1953f, -0.0290f, 0.0250f},
        {0.1074f, 0.0886f, -0.0163f},
        {-0.3730f, -0.2499f, -0.2088f}});

    /** {@code [latent channel][r, g, b]}. */
    private final float[][] factors;

    LatentPreview(float[][] factors) {
        this.factors = factors;
    }

    public static LatentPreview of(StableDiffusionModel model) {
        return model.isXl() ? SDXL : SD1;
    }

    /** The preview of image {@code index} of {@code latents (B, 4, h, w)}: an {@code w × h} image. */
    public RgbImage preview(HostTensor latents, int index) {
        long[] s = latents.shape();
        if (s.length != 4 || s[1] != factors.length || index < 0 || index >= s[0]) {
            throw new DiffijException("a latent preview needs latents (batch, " + factors.length + ", h, w) and an "
                    + "image index in the batch, not shape " + java.util.Arrays.toString(s) + " and index " + index);
        }
        int height = Math.toIntExact(s[2]);
        int width = Math.toIntExact(s[3]);
        int plane = height * width;
        float[] values = latents.toFloatArray();
        int offset = index * factors.length * plane;
        float[] rgb = new float[3 * plane];
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) {
                float sum = 0;
                for (int l = 0; l < factors.length; l++) {
                    sum += values[offset + l * plane + p] * factors[l][c];
                }
                rgb[3 * p + c] = Math.min(1f, Math.max(0f, sum * 0.5f + 0.5f));
            }
        }
        return new RgbImage(width, height, rgb);
    }
}
