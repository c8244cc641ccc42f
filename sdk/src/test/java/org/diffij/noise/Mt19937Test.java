package org.diffij.noise;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class Mt19937Test {

    /** C++ [rand.predef]: the 10000th output of a default-seeded (5489) std::mt19937 is 4123659995. */
    @Test
    void matchesTheCppStandardReferenceOutput() {
        Mt19937 engine = new Mt19937(5489);
        assertEquals(3499211612L, engine.nextUnsigned());
        long value = 0;
        for (int i = 2; i <= 10000; i++) {
            value = engine.nextUnsigned();
        }
        assertEquals(4123659995L, value);
    }

    @Test
    void usesOnlyTheLow32BitsOfTheSeedLikeTorch() {
        assertEquals(new Mt19937(5489).nextUnsigned(), new Mt19937((1L << 32) + 5489).nextUnsigned());
    }
}
