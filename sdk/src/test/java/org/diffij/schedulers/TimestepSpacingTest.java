package org.diffij.schedulers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

/** Spacings the golden cases do not cover, worked out by hand from numpy's definitions. */
class TimestepSpacingTest {

    private static double[] timesteps(String sampler, String spacing, int steps) {
        JsonObject config = SamplersTest.sd15Config();
        config.addProperty("timestep_spacing", spacing);
        Scheduler scheduler = Samplers.create(sampler, config);
        scheduler.setTimesteps(steps);
        return scheduler.timesteps();
    }

    @Test
    void trailingCountsDownFromTheLastTrainingStep() {
        double[] expected = {999, 899, 799, 699, 599, 499, 399, 299, 199, 99};
        assertArrayEquals(expected, timesteps("Euler", "trailing", 10));
        assertArrayEquals(expected, timesteps("DPM++ 2M", "trailing", 10));
        assertArrayEquals(expected, timesteps("UniPC", "trailing", 10));
        // np.round(np.arange(1000, 0, -1000 / 3)) - 1 = [1000, 666.67, 333.33] -> [999, 666, 332]
        assertArrayEquals(new double[] {999, 666, 332}, timesteps("DDIM", "trailing", 3));
        assertArrayEquals(new double[] {999, 856, 713, 570, 428, 285, 142}, timesteps("DDIM", "trailing", 7));
    }

    @Test
    void leadingMultistepUsesStepsPlusOneIntervals() {
        // 1000 // 11 = 90: (10 - k) * 90 + steps_offset 1
        assertArrayEquals(new double[] {901, 811, 721, 631, 541, 451, 361, 271, 181, 91},
                timesteps("DPM++ 2M", "leading", 10));
        // Euler with leading spacing: k * 100 + 1, unrounded floats
        assertArrayEquals(new double[] {901, 801, 701, 601, 501, 401, 301, 201, 101, 1},
                timesteps("Euler a", "leading", 10));
    }

    @Test
    void linspaceRoundsHalvesToEvenForIntegerSchedulersOnly() {
        // np.linspace(0, 999, 25) = k * 41.625; 4 * 41.625 = 166.5 rounds to 166 (half to even)
        double[] ddim = timesteps("DDPM", "linspace", 25);
        assertArrayEquals(new double[] {166, 125, 83, 42, 0},
                java.util.Arrays.copyOfRange(ddim, 20, 25));
        double[] euler = timesteps("Euler", "linspace", 25);
        assertArrayEquals(new double[] {166.5, 124.875, 83.25, 41.625, 0},
                java.util.Arrays.copyOfRange(euler, 20, 25));
    }
}
