package org.diffij.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.diffij.DiffijException;
import org.diffij.models.Sd15Configs;
import org.diffij.models.vae.AutoencoderKLConfig;
import org.diffij.nn.AttentionSlicing;
import org.junit.jupiter.api.Test;

/** The automatic memory choices follow the estimates; forced settings override them. */
class MemoryPlanTest {

    private static final AutoencoderKLConfig SD15 = Sd15Configs.vae();
    private static final long GIB = 1L << 30;

    private static MemorySettings auto(long budget) {
        return new MemorySettings(MemorySettings.Mode.AUTO, 64, MemorySettings.Mode.AUTO, budget);
    }

    @Test
    void theEstimateGrowsWithThePixelsAndTheBatch() {
        long small = MemoryPlan.passBytes(SD15, true, 1, 512, 512, AttentionSlicing.OFF);
        long large = MemoryPlan.passBytes(SD15, true, 1, 1024, 1024, AttentionSlicing.OFF);
        long batch = MemoryPlan.passBytes(SD15, true, 2, 512, 512, AttentionSlicing.OFF);
        assertTrue(large > 4 * small - 1, small + " -> " + large);
        assertEquals(2 * small, batch);
        assertTrue(MemoryPlan.passBytes(SD15, false, 1, 512, 512, AttentionSlicing.OFF) < small,
                "the encoder has the narrower top level at full resolution");
        long bounded = MemoryPlan.passBytes(SD15, true, 1, 2048, 2048, new AttentionSlicing(64L << 20));
        long unbounded = MemoryPlan.passBytes(SD15, true, 1, 2048, 2048, AttentionSlicing.OFF);
        assertTrue(bounded < unbounded, "slicing bounds the mid-block attention's share");
    }

    @Test
    void theVaeRunsWholeWhileTheEstimateFitsAndInTilesBeyond() {
        MemoryPlan fits = MemoryPlan.of(auto(8 * GIB), SD15, 1, 512, 512);
        assertFalse(fits.tiled(), fits.describe());
        assertTrue(fits.decodeEstimateBytes() <= 8 * GIB);
        MemoryPlan large = MemoryPlan.of(auto(8 * GIB), SD15, 1, 2048, 2048);
        assertTrue(large.tiled(), large.describe());
        assertTrue(large.decodeEstimateBytes() > 8 * GIB);
        assertEquals(64, large.tiling().tile());
        assertEquals(16, large.tiling().overlap());
    }

    @Test
    void tilesShrinkUntilOneFitsTheBudget() {
        long oneTile64 = MemoryPlan.passBytes(SD15, true, 1, 512, 512, new AttentionSlicing(GIB / 4));
        MemoryPlan tight = MemoryPlan.of(auto(oneTile64 / 2), SD15, 1, 1024, 1024);
        assertTrue(tight.tiled());
        assertEquals(32, tight.tiling().tile(), tight.describe());
    }

    @Test
    void forcedSettingsOverrideTheEstimate() {
        MemorySettings on = new MemorySettings(MemorySettings.Mode.ON, 16, MemorySettings.Mode.ON, 64 * GIB);
        MemoryPlan forced = MemoryPlan.of(on, SD15, 1, 256, 256);
        assertTrue(forced.tiled());
        assertEquals(16, forced.tiling().tile());
        assertEquals(4, forced.tiling().overlap());
        assertSame(AttentionSlicing.DEFAULT, forced.attention());
        MemorySettings off = new MemorySettings(MemorySettings.Mode.OFF, 64, MemorySettings.Mode.OFF, 1);
        MemoryPlan never = MemoryPlan.of(off, SD15, 4, 4096, 4096);
        assertNull(never.tiling());
        assertSame(AttentionSlicing.OFF, never.attention());
    }

    @Test
    void automaticAttentionSlicingKeepsScoresWithinAQuarterOfTheBudget() {
        MemoryPlan plan = MemoryPlan.of(auto(8 * GIB), SD15, 1, 512, 512);
        assertEquals(2 * GIB, plan.attention().maxScoreBytes());
        // SD1.5 at 512x512 with guidance: 2 x 8 heads x 4096^2 scores = 1 GiB, one call; at 1024x1024, 16 GiB,
        // in 8 slices of 2 GiB (2048 query rows of 1 MiB each).
        assertEquals(4096, plan.attention().rowsPerSlice(2, 8, 4096, 4096, Float.BYTES));
        assertEquals(2048, plan.attention().rowsPerSlice(2, 8, 16384, 16384, Float.BYTES));
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(DiffijException.class,
                () -> new MemorySettings(MemorySettings.Mode.AUTO, 4, MemorySettings.Mode.AUTO, GIB));
        assertThrows(DiffijException.class,
                () -> new MemorySettings(MemorySettings.Mode.AUTO, 64, MemorySettings.Mode.AUTO, 0));
    }
}
