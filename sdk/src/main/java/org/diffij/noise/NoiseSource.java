package org.diffij.noise;

import org.diffij.io.HostTensor;

/**
 * Where every Gaussian draw of a generation comes from: the initial latents, img2img noise, and the
 * noise that ancestral and SDE sampler steps add. Each call is one draw in the order a pipeline makes
 * them, so a seeded source reproduces the same image and a recorded source replays a reference run.
 * Sources are stateful and not thread-safe: one per generation.
 */
public interface NoiseSource {

    /** The next draw of standard normal values for a tensor of this shape, in row-major order. */
    float[] randn(long... shape);

    /** The next draw as a float32 tensor. */
    default HostTensor randnTensor(long... shape) {
        return HostTensor.ofFloats(randn(shape), shape);
    }

    /** The element count of a shape, for sources checking the size of a draw. */
    static int numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in noise shape");
            }
            n = Math.multiplyExact(n, d);
        }
        return Math.toIntExact(n);
    }
}
