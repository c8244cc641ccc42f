package org.diffij.models.vae;

import ai.djl.ndarray.NDArray;

/** The encoder's diagonal Gaussian over latents; {@code logvar} is clamped to [-30, 20] as diffusers does. */
public record LatentDistribution(NDArray mean, NDArray logvar, NDArray std) {

    /** {@code mean + std · noise}, with the caller's noise (so that seeds and recorded draws are the caller's choice). */
    public NDArray sample(NDArray noise) {
        return mean.add(std.mul(noise));
    }
}
