package org.diffij.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HalfFloatsTest {

    @Test
    void everyHalfRoundTripsExactly() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float value = HalfFloats.f16ToFloat((short) bits);
            if (Float.isNaN(value)) {
                assertTrue(Float.isNaN(HalfFloats.f16ToFloat(HalfFloats.floatToF16(value))));
                continue;
            }
            assertEquals(bits, HalfFloats.floatToF16(value) & 0xffff, "bits " + Integer.toHexString(bits));
        }
    }

    @Test
    void knownHalfValues() {
        assertEquals(1f, HalfFloats.f16ToFloat((short) 0x3c00));
        assertEquals(-2f, HalfFloats.f16ToFloat((short) 0xc000));
        assertEquals(65504f, HalfFloats.f16ToFloat((short) 0x7bff));
        assertEquals(0x1p-24f, HalfFloats.f16ToFloat((short) 0x0001));
        assertEquals(Float.NEGATIVE_INFINITY, HalfFloats.f16ToFloat((short) 0xfc00));
    }

    @Test
    void roundsToNearestEven() {
        // 1 + 2^-11 lies exactly between 1 and the next half 1 + 2^-10: ties go to the even mantissa (1).
        assertEquals(0x3c00, HalfFloats.floatToF16(1f + 0x1p-11f) & 0xffff);
        assertEquals(0x3c02, HalfFloats.floatToF16(1f + 3 * 0x1p-11f) & 0xffff);
        assertEquals(0x7c00, HalfFloats.floatToF16(70000f) & 0xffff);
        assertEquals(0x0001, HalfFloats.floatToF16(0x1p-24f) & 0xffff);
        assertEquals(0x0000, HalfFloats.floatToF16(0x1p-26f) & 0xffff);
    }

    @Test
    void bfloat16WidensByShiftingAndRoundsToNearestEven() {
        assertEquals(1f, HalfFloats.bf16ToFloat((short) 0x3f80));
        assertEquals(-2f, HalfFloats.bf16ToFloat((short) 0xc000));
        assertEquals(0x3f80, HalfFloats.floatToBf16(1f + 0x1p-8f) & 0xffff);
        assertEquals(0x3f82, HalfFloats.floatToBf16(1f + 3 * 0x1p-8f) & 0xffff);
        assertEquals(0x3f81, HalfFloats.floatToBf16(1f + 0x1p-7f) & 0xffff);
    }
}
