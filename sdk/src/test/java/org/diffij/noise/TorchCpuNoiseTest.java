package org.diffij.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.types.Shape;
import org.diffij.engine.DiffijEngine;
import org.junit.jupiter.api.Test;

/**
 * Pins torch's CPU {@code randn} against values printed by torch itself (4 decimals) in public
 * documentation, and against the libtorch this project runs.
 */
class TorchCpuNoiseTest {

    /** Printed values carry 4 decimals. */
    private static final float PRINTED = 6e-5f;

    @Test
    void fewerThan16ValuesComeFromDoubleBoxMullerPairs() {
        // torch.manual_seed(0); torch.randn(3), the value every torch tutorial shows.
        assertArrayEquals(new float[] {1.5410f, -0.2934f, -2.1788f}, new TorchCpuNoise(0).randn(3), PRINTED);
        // torch.manual_seed(42); torch.randn(2, 3), e.g. in the torch.randn tutorials.
        assertArrayEquals(new float[] {0.3367f, 0.1288f, 0.2345f, 0.2303f, -1.1229f, -0.1863f},
                new TorchCpuNoise(42).randn(2, 3), PRINTED);
    }

    @Test
    void sixteenValuesAreOneFloatBlock() {
        // torch.manual_seed(0); torch.randn(1, 1, 4, 4), printed in kornia's CenterCrop docstring.
        float[] expected = {-1.1258f, -1.1524f, -0.2506f, -0.4339f, 0.8487f, 0.6920f, -0.3160f, -2.1152f,
            0.3223f, -1.2633f, 0.3500f, 0.3081f, 0.1198f, 1.2377f, 1.1168f, -0.2473f};
        assertArrayEquals(expected, new TorchCpuNoise(0).randn(1, 1, 4, 4), PRINTED);
    }

    @Test
    void aPartialLastBlockIsRedrawnAsTheLast16Values() {
        // torch.manual_seed(0); torch.randn(3, 3, 3): values 11..26 come from 16 fresh uniforms.
        float[] expected = {-1.1258f, -1.1524f, -0.2506f, -0.4339f, 0.8487f, 0.6920f, -0.3160f, -2.1152f,
            0.3223f, -1.2633f, 0.3500f, 0.2660f, 0.1665f, 0.8744f, -0.1435f, -0.1116f, -0.6136f, 0.0316f,
            -0.4927f, 0.0537f, 0.6181f, -0.4128f, -0.8411f, -2.3160f, -0.1023f, 0.7924f, -0.2897f};
        assertArrayEquals(expected, new TorchCpuNoise(0).randn(3, 3, 3), PRINTED);
    }

    @Test
    void consecutiveDrawsContinueTheStream() {
        TorchCpuNoise noise = new TorchCpuNoise(0);
        noise.randn(4, 4);
        // The second torch.randn(4, 4) after torch.manual_seed(0).
        float[] expected = {-1.3527f, -1.6959f, 0.5667f, 0.7935f, 0.5988f, -1.5551f, -0.3414f, 1.8530f,
            0.7502f, -0.5855f, -0.1734f, 0.1835f, 1.3894f, 1.5863f, 0.9463f, -0.8437f};
        assertArrayEquals(expected, noise.randn(4, 4), PRINTED);
    }

    @Test
    void theSecondValueOfADoublePairIsKeptForTheNextSmallDraw() {
        TorchCpuNoise pieces = new TorchCpuNoise(7);
        float[] first = pieces.randn(1);
        float[] second = pieces.randn(1);
        float[] whole = new TorchCpuNoise(7).randn(2);
        assertArrayEquals(whole, new float[] {first[0], second[0]});
        assertNotEquals(whole[0], whole[1]);
    }

    @Test
    void bothKernelsAgreeToTheLastBitsAndMatchThePrintedValues() {
        float[] avx2 = new TorchCpuNoise(0, TorchCpuNoise.Kernel.AVX2).randn(3, 3, 3);
        float[] portable = new TorchCpuNoise(0, TorchCpuNoise.Kernel.PORTABLE).randn(3, 3, 3);
        assertArrayEquals(avx2, portable, 5e-7f);
        assertArrayEquals(new TorchCpuNoise(0).randn(3, 3, 3), avx2);
    }

    /**
     * The libtorch this project runs equals one of the two kernels bit for bit (on x86-64 with AVX2,
     * the AVX2 one), including the pair cache between small draws.
     */
    @Test
    void equalsLibtorchRandnBitForBit() {
        long[][] shapes = {{3}, {15}, {16}, {27}, {1, 4, 8, 8}, {2, 4, 64, 64}, {5}};
        long seed = 1234;
        float[][] libtorch = DiffijEngine.get().queue().run("randn reference", ctx -> {
            Engine.getInstance().setRandomSeed((int) seed);
            float[][] draws = new float[shapes.length][];
            for (int i = 0; i < shapes.length; i++) {
                draws[i] = ctx.manager().randomNormal(new Shape(shapes[i])).toFloatArray();
            }
            return draws;
        });
        String avx2 = mismatches(libtorch, new TorchCpuNoise(seed, TorchCpuNoise.Kernel.AVX2), shapes);
        String portable = mismatches(libtorch, new TorchCpuNoise(seed, TorchCpuNoise.Kernel.PORTABLE), shapes);
        assertTrue(avx2.isEmpty() || portable.isEmpty(), "AVX2 kernel: " + avx2 + "; portable kernel: " + portable);
    }

    private static String mismatches(float[][] reference, TorchCpuNoise noise, long[][] shapes) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < shapes.length; i++) {
            float[] ours = noise.randn(shapes[i]);
            assertEquals(reference[i].length, ours.length);
            int count = 0;
            for (int j = 0; j < ours.length; j++) {
                if (ours[j] != reference[i][j]) {
                    count++;
                }
            }
            if (count > 0) {
                out.append("draw ").append(i).append(": ").append(count).append(" of ").append(ours.length)
                        .append(" values differ ");
            }
        }
        return out.toString();
    }
}
