package org.diffij.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

class PhiloxNoiseTest {

    /** Random123's known-answer vectors (tests/kat_vectors, the three "philox4x32 10" lines). */
    @Test
    void blockFunctionMatchesRandom123KnownAnswers() {
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
                Philox4x32.block(0, 0, 0, 0, 0, 0));
        assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
                Philox4x32.block(-1, -1, -1, -1, -1, -1));
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
                Philox4x32.block(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0));
    }

    /**
     * {@code torch.manual_seed(0); torch.randn(8, 8, device="cuda")} as printed (4 decimals) in public
     * CUDA lecture notes; its first 12 values are also the documented output of A1111's
     * modules/rng_philox.py for seed 0 and shape (3, 4).
     */
    @Test
    void reproducesTorchCudaRandnForSeedZero() {
        float[] expected = {
            -0.9247f, -0.4253f, -2.6438f, 0.1452f, -0.1209f, -0.5797f, -0.6229f, -0.3284f,
            -1.0745f, -0.3631f, -1.6711f, 2.2655f, 0.3117f, -0.1842f, 1.2866f, 1.1820f,
            -0.1271f, 1.2169f, 1.4353f, 1.0605f, -0.4941f, -1.4244f, -0.7244f, -1.2973f,
            0.0697f, -0.0074f, 1.8969f, 0.6878f, -0.0779f, -0.8373f, 1.3506f, -0.2879f,
            -0.5965f, -0.3283f, -0.9086f, -0.8059f, -0.7407f, -0.0504f, 0.5435f, 1.5150f,
            0.0141f, 0.4532f, 1.6349f, 0.7124f, -0.1806f, 1.0252f, -1.4622f, -0.7554f,
            -0.1836f, 0.3824f, 0.3918f, -0.0830f, 0.8971f, -1.1123f, 0.1116f, 0.4863f,
            -0.5499f, -0.3231f, -0.5469f, 0.9049f, 0.2837f, 0.1210f, 0.4730f, -1.0823f};
        assertArrayEquals(expected, new PhiloxNoise(0).randn(8, 8), 6e-5f);
        float[] a1111 = {-0.92466259f, -0.42534415f, -2.6438457f, 0.14518388f, -0.12086647f, -0.57972564f,
            -0.62285122f, -0.32838709f, -1.07454231f, -0.36314407f, -1.67105067f, 2.26550497f};
        assertArrayEquals(a1111, new PhiloxNoise(0).randn(3, 4), 2e-6f);
    }

    @Test
    void elementValuesDoNotDependOnTheShapeButEachDrawMovesTheOffset() {
        PhiloxNoise noise = new PhiloxNoise(99);
        float[] first = noise.randn(2, 3);
        float[] second = noise.randn(6);
        assertArrayEquals(new PhiloxNoise(99).randn(6), first);
        assertNotEquals(first[0], second[0]);
        float[] wide = new PhiloxNoise(99).randn(100);
        assertEquals(first[5], wide[5]);
    }
}
