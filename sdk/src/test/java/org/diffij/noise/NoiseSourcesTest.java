package org.diffij.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.diffij.DiffijException;
import org.diffij.io.HostTensor;
import org.junit.jupiter.api.Test;

class NoiseSourcesTest {

    @Test
    void replaysDrawsInOrderAndRejectsWrongShapesAndExtraDraws() {
        RecordedNoise noise = new RecordedNoise(List.of(HostTensor.ofFloats(new float[] {1, 2}, 1, 2),
                HostTensor.ofFloats(new float[] {3, 4, 5}, 3)));
        assertArrayEquals(new float[] {1, 2}, noise.randn(1, 2));
        assertEquals(1, noise.remaining());
        DiffijException wrongShape = assertThrows(DiffijException.class, () -> noise.randn(1, 3));
        assertTrue(wrongShape.getMessage().contains("[3]"), wrongShape.getMessage());
        RecordedNoise exhausted = new RecordedNoise(List.of());
        assertThrows(DiffijException.class, () -> exhausted.randn(2));
    }

    @Test
    void randomSourcesAreChosenByA1111Names() {
        assertEquals(RandomSource.GPU, RandomSource.of("nv"));
        assertArrayEquals(new TorchCpuNoise(5).randn(20), RandomSource.of("CPU").seeded(5).randn(20));
        DiffijException unknown = assertThrows(DiffijException.class, () -> RandomSource.of("tpu"));
        assertTrue(unknown.getMessage().contains("CPU, GPU"), unknown.getMessage());
    }

    @Test
    void perImageSourcesGiveEachImageItsOwnSeed() {
        PerImageNoise batch = PerImageNoise.consecutiveSeeds(RandomSource.GPU, 10, 2);
        float[] both = batch.randn(2, 4, 2, 2);
        float[] second = new PhiloxNoise(11).randn(1, 4, 2, 2);
        assertArrayEquals(second, java.util.Arrays.copyOfRange(both, 16, 32));
        assertArrayEquals(new PhiloxNoise(10).randn(1, 4, 2, 2), java.util.Arrays.copyOfRange(both, 0, 16));
        assertThrows(DiffijException.class, () -> batch.randn(3, 4, 2, 2));
    }
}
