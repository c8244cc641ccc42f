package org.diffij.noise;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import org.diffij.DiffijException;
import org.diffij.io.HostTensor;

/**
 * Replays recorded draws in order, e.g. the {@code in.noise_00, in.noise_01, ...} tensors of a golden
 * case; a draw of another shape than the recorded one, or one past the end, is an error, so a sampler
 * that draws at other places than the reference run fails loudly.
 */
public final class RecordedNoise implements NoiseSource {

    private final Deque<HostTensor> draws;
    private int used;

    public RecordedNoise(List<HostTensor> draws) {
        this.draws = new ArrayDeque<>(draws);
    }

    @Override
    public float[] randn(long... shape) {
        HostTensor next = draws.pollFirst();
        if (next == null) {
            throw new DiffijException("recorded noise has only " + used + " draws but draw " + (used + 1)
                    + " of shape " + Arrays.toString(shape) + " was asked for");
        }
        if (!Arrays.equals(next.shape(), shape)) {
            throw new DiffijException("recorded noise draw " + used + " has shape " + Arrays.toString(next.shape())
                    + " but shape " + Arrays.toString(shape) + " was asked for");
        }
        used++;
        return next.toFloatArray();
    }

    /** How many recorded draws have not been used yet. */
    public int remaining() {
        return draws.size();
    }
}
