package org.diffij.schedulers;

import java.util.Arrays;
import org.diffij.DiffijException;

/**
 * How {@code timestep_spacing} picks inference timesteps from the training schedule (Lin et al. 2023,
 * table 2), in the three variants diffusers' scheduler families use. All lists run from noisy to clean.
 */
public enum TimestepSpacing {
    LINSPACE("linspace"),
    LEADING("leading"),
    TRAILING("trailing");

    private final String key;

    TimestepSpacing(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    static TimestepSpacing of(String value) {
        for (TimestepSpacing spacing : values()) {
            if (spacing.key.equals(value)) {
                return spacing;
            }
        }
        throw new DiffijException("scheduler config: timestep_spacing '" + value
                + "' is not supported; use linspace, leading or trailing");
    }

    /**
     * Integer timesteps of DDIM, DDPM and PNDM; with {@code roundLinspace} false the float timesteps of
     * the sigma schedulers (Euler, Heun, LMS), whose linspace is not rounded.
     */
    double[] timesteps(int steps, int trainSteps, int stepsOffset, boolean roundLinspace) {
        return switch (this) {
            case LINSPACE -> {
                double[] values = ScheduleMath.linspace(0, trainSteps - 1, steps);
                yield ScheduleMath.reversed(roundLinspace ? ScheduleMath.round(values) : values);
            }
            case LEADING -> {
                int ratio = trainSteps / steps;
                double[] values = new double[steps];
                for (int i = 0; i < steps; i++) {
                    values[i] = (double) (steps - 1 - i) * ratio + stepsOffset;
                }
                yield values;
            }
            case TRAILING -> minusOne(ScheduleMath.round(
                    ScheduleMath.arange(trainSteps, 0, -(double) trainSteps / steps)));
        };
    }

    /**
     * Integer timesteps of the multistep solvers (DPM-Solver, UniPC): {@code steps + 1} points up to
     * {@code lastTimestep} with the final (clean) one dropped.
     */
    double[] multistepTimesteps(int steps, int trainSteps, int lastTimestep, int stepsOffset) {
        return switch (this) {
            case LINSPACE -> {
                double[] values = ScheduleMath.reversed(ScheduleMath.round(
                        ScheduleMath.linspace(0, lastTimestep - 1, steps + 1)));
                yield Arrays.copyOf(values, steps);
            }
            case LEADING -> {
                int ratio = lastTimestep / (steps + 1);
                double[] values = new double[steps];
                for (int i = 0; i < steps; i++) {
                    values[i] = (double) (steps - i) * ratio + stepsOffset;
                }
                yield values;
            }
            case TRAILING -> minusOne(ScheduleMath.round(
                    ScheduleMath.arange(lastTimestep, 0, -(double) trainSteps / steps)));
        };
    }

    private static double[] minusOne(double[] values) {
        for (int i = 0; i < values.length; i++) {
            values[i] -= 1;
        }
        return values;
    }
}
