package org.diffij.noise;

/**
 * The 32-bit Mersenne Twister (MT19937) as torch's CPU generator runs it: seeded from the low 32 bits
 * of the seed with the reference initialisation, tempered outputs of the standard algorithm.
 */
final class Mt19937 {

    private static final int N = 624;
    private static final int M = 397;
    private static final int MATRIX_A = 0x9908b0df;
    private static final int UPPER_MASK = 0x80000000;
    private static final int LOWER_MASK = 0x7fffffff;

    private final int[] state = new int[N];
    private int next = N;

    Mt19937(long seed) {
        state[0] = (int) seed;
        for (int j = 1; j < N; j++) {
            int previous = state[j - 1];
            state[j] = 1812433253 * (previous ^ (previous >>> 30)) + j;
        }
    }

    /** The next 32-bit output as an unsigned value. */
    long nextUnsigned() {
        return nextInt() & 0xffffffffL;
    }

    int nextInt() {
        if (next >= N) {
            twist();
        }
        int y = state[next++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y;
    }

    private void twist() {
        for (int k = 0; k < N; k++) {
            int y = (state[k] & UPPER_MASK) | (state[(k + 1) % N] & LOWER_MASK);
            int mixed = (y >>> 1) ^ ((y & 1) != 0 ? MATRIX_A : 0);
            state[k] = state[(k + M) % N] ^ mixed;
        }
        next = 0;
    }
}
