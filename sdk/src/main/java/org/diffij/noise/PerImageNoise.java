package org.diffij.noise;

import java.util.Arrays;
import java.util.List;
import org.diffij.DiffijException;

/**
 * One source per image of a batch: a draw of shape {@code [B, ...]} takes image i's slice from source
 * i with shape {@code [1, ...]}, as diffusers does for a list of generators and A1111 for per-image
 * seeds ({@code seed, seed + 1, ...}), so an image's noise does not depend on the batch size.
 */
public final class PerImageNoise implements NoiseSource {

    private final List<NoiseSource> sources;

    public PerImageNoise(List<NoiseSource> sources) {
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("per-image noise needs at least one source");
        }
        this.sources = List.copyOf(sources);
    }

    /** Consecutive seeds {@code seed, seed + 1, ...} of one random source. */
    public static PerImageNoise consecutiveSeeds(RandomSource source, long seed, int images) {
        NoiseSource[] perImage = new NoiseSource[images];
        for (int i = 0; i < images; i++) {
            perImage[i] = source.seeded(seed + i);
        }
        return new PerImageNoise(Arrays.asList(perImage));
    }

    @Override
    public float[] randn(long... shape) {
        if (shape.length == 0 || shape[0] != sources.size()) {
            throw new DiffijException("a draw of shape " + Arrays.toString(shape) + " does not have the batch size "
                    + sources.size() + " of the per-image noise sources");
        }
        long[] itemShape = shape.clone();
        itemShape[0] = 1;
        int itemSize = NoiseSource.numel(itemShape);
        float[] out = new float[NoiseSource.numel(shape)];
        for (int i = 0; i < sources.size(); i++) {
            System.arraycopy(sources.get(i).randn(itemShape), 0, out, i * itemSize, itemSize);
        }
        return out;
    }
}
