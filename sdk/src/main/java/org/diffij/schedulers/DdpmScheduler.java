package org.diffij.schedulers;

import org.diffij.DiffijException;
import org.diffij.noise.NoiseSource;

/**
 * DDPM ancestral sampling (Ho et al. 2020): the posterior mean of x_{t-1} given x0 and x_t plus
 * posterior noise, drawn at every step with t > 0. Variance types {@code fixed_small} (the posterior
 * variance), {@code fixed_small_log} and {@code fixed_large} (beta_t); learned variances need a
 * model that predicts them and are not supported.
 */
final class DdpmScheduler extends Scheduler {

    private final String varianceType;

    DdpmScheduler(ConfigJson json) {
        super(SchedulerType.DDPM, json, false);
        this.varianceType = json.choice("variance_type", "fixed_small", "fixed_small", "fixed_small_log",
                "fixed_large");
    }

    @Override
    protected double[] schedule(int steps) {
        return config.timestepSpacing().timesteps(steps, config.numTrainTimesteps(), config.stepsOffset(), true);
    }

    @Override
    protected float[] step(float[] modelOutput, float[] sample, long[] shape, int index, NoiseSource noise) {
        int t = (int) allTimesteps()[index];
        int previous = t - config.numTrainTimesteps() / inferenceSteps();
        double alpha = noiseSchedule.alphaCumprod(t);
        double alphaPrevious = previous >= 0 ? noiseSchedule.alphaCumprod(previous) : 1.0;
        double beta = 1 - alpha;
        double betaPrevious = 1 - alphaPrevious;
        double currentAlpha = alpha / alphaPrevious;
        double currentBeta = 1 - currentAlpha;
        float[] original = AlphaPrediction.of(config, modelOutput, sample, alpha).original();
        double originalCoefficient = Math.sqrt(alphaPrevious) * currentBeta / beta;
        double sampleCoefficient = Math.sqrt(currentAlpha) * betaPrevious / beta;
        float[] mean = Elementwise.map(original, sample,
                (x0, x) -> originalCoefficient * x0 + sampleCoefficient * x);
        if (t <= 0) {
            return mean;
        }
        float[] variationNoise = noise.randn(shape);
        double posteriorVariance = Math.max(betaPrevious / beta * currentBeta, 1e-20);
        double deviation = switch (varianceType) {
            case "fixed_small", "fixed_small_log" -> Math.sqrt(posteriorVariance);
            case "fixed_large" -> Math.sqrt(currentBeta);
            default -> throw new DiffijException("unsupported variance_type " + varianceType);
        };
        return Elementwise.map(mean, variationNoise, (m, n) -> m + deviation * n);
    }

    @Override
    protected float[] addNoise(float[] original, float[] noise, int index) {
        return addNoiseAtTrainTimestep(original, noise, (int) allTimesteps()[index]);
    }
}
