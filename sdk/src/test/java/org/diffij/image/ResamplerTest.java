package org.diffij.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.diffij.DiffijException;
import org.junit.jupiter.api.Test;

class ResamplerTest {

    @Test
    void constantImagesStayConstantWithEveryFilter() {
        int[] gray = new int[7 * 5];
        Arrays.fill(gray, 200);
        for (Resampler.Filter filter : Resampler.Filter.values()) {
            int[] up = Resampler.resize8(gray, 7, 5, 1, 19, 11, filter);
            int[] down = Resampler.resize8(gray, 7, 5, 1, 3, 2, filter);
            assertEquals(19 * 11, up.length);
            assertEquals(6, down.length);
            assertEquals(200, Arrays.stream(up).min().getAsInt(), filter.name());
            assertEquals(200, Arrays.stream(up).max().getAsInt(), filter.name());
            assertEquals(200, Arrays.stream(down).max().getAsInt(), filter.name());
        }
    }

    @Test
    void halvingWithBilinearStretchesTheFilterAsPillowDoes() {
        // Shrinking by 2 stretches the triangle to support 2: output 0 (centre 1.0) takes inputs 0..2 with
        // weights 0.75, 0.75, 0.25 (normalised 3/7, 3/7, 1/7) -> (0 + 300 + 200) / 7 = 71.4; output 1
        // (centre 3.0) takes inputs 1..3 with 0.25, 0.75, 0.75 -> (25 + 150 + 37.5) / 1.75 = 121.4.
        int[] row = {0, 100, 200, 50};
        assertArrayEquals(new int[] {71, 121}, Resampler.resize8(row, 4, 1, 1, 2, 1, Resampler.Filter.BILINEAR));
    }

    @Test
    void bicubicOvershootIsClampedTo8Bits() {
        int[] edge = {0, 0, 0, 255, 255, 255};
        int[] up = Resampler.resize8(edge, 6, 1, 1, 24, 1, Resampler.Filter.BICUBIC);
        assertEquals(0, Arrays.stream(up).min().getAsInt());
        assertEquals(255, Arrays.stream(up).max().getAsInt());
    }

    @Test
    void rejectsInconsistentSizes() {
        assertThrows(DiffijException.class, () -> Resampler.resize8(new int[5], 2, 2, 1, 4, 4,
                Resampler.Filter.BICUBIC));
        assertThrows(DiffijException.class, () -> Resampler.resize8(new int[4], 2, 2, 1, 0, 4,
                Resampler.Filter.BICUBIC));
    }
}
