package org.diffij.noise;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.LongFunction;
import java.util.stream.Collectors;
import org.diffij.DiffijException;

/**
 * The seeded generators a user can choose, named as A1111's "Random number generator source"
 * setting: {@code CPU} is torch's CPU generator (also diffusers' CPU generators and ComfyUI), {@code GPU}
 * torch's CUDA generator (A1111's default, also called "NV" there).
 */
public enum RandomSource {
    CPU(TorchCpuNoise::new),
    GPU(PhiloxNoise::new);

    private final LongFunction<NoiseSource> factory;

    RandomSource(LongFunction<NoiseSource> factory) {
        this.factory = factory;
    }

    /** A fresh generator for one generation. */
    public NoiseSource seeded(long seed) {
        return factory.apply(seed);
    }

    /** The source for a name, case-insensitive; "NV" is A1111's name for its CPU copy of the GPU noise. */
    public static RandomSource of(String name) {
        String key = name == null ? "" : name.trim().toUpperCase(Locale.ROOT);
        if (key.equals("NV")) {
            return GPU;
        }
        for (RandomSource source : values()) {
            if (source.name().equals(key)) {
                return source;
            }
        }
        throw new DiffijException("unknown random source '" + name + "'; use one of "
                + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")) + " (or NV)");
    }
}
