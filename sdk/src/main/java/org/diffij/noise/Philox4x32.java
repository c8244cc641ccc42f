package org.diffij.noise;

/**
 * The Philox4x32-10 counter-based block function of Salmon et al. (Random123), as curand's
 * {@code curandStatePhilox4_32_10} uses it: a 128-bit counter and a 64-bit key give four 32-bit
 * outputs after ten rounds, the key bumped by the Weyl constants between rounds.
 */
public final class Philox4x32 {

    private static final long MULTIPLIER_0 = 0xD2511F53L;
    private static final long MULTIPLIER_1 = 0xCD9E8D57L;
    private static final int WEYL_0 = 0x9E3779B9;
    private static final int WEYL_1 = 0xBB67AE85;
    private static final int ROUNDS = 10;

    private Philox4x32() {
    }

    /** The four outputs for counter words {@code c0..c3} (c0 least significant) and key words {@code k0, k1}. */
    public static int[] block(int c0, int c1, int c2, int c3, int k0, int k1) {
        int x0 = c0;
        int x1 = c1;
        int x2 = c2;
        int x3 = c3;
        int key0 = k0;
        int key1 = k1;
        for (int round = 0; round < ROUNDS; round++) {
            if (round > 0) {
                key0 += WEYL_0;
                key1 += WEYL_1;
            }
            long product0 = MULTIPLIER_0 * (x0 & 0xffffffffL);
            long product1 = MULTIPLIER_1 * (x2 & 0xffffffffL);
            int next0 = (int) (product1 >>> 32) ^ x1 ^ key0;
            int next1 = (int) product1;
            int next2 = (int) (product0 >>> 32) ^ x3 ^ key1;
            int next3 = (int) product0;
            x0 = next0;
            x1 = next1;
            x2 = next2;
            x3 = next3;
        }
        return new int[] {x0, x1, x2, x3};
    }
}
