package org.diffij.schedulers;

import org.diffij.DiffijException;
import org.diffij.noise.NoiseSource;

/**
 * Euler ancestral (A1111's "Euler a"): an Euler step down to sigma_down followed by fresh noise of
 * size sigma_up, with {@code sigma_down^2 + sigma_up^2 = sigma_next^2}.
 */
final class EulerAncestralScheduler extends SigmaScheduler {

    EulerAncestralScheduler(ConfigJson json) {
        super(SchedulerType.EULER_ANCESTRAL, json, true);
        if (config.predictionType() == PredictionType.SAMPLE) {
            throw new DiffijException("scheduler config: Euler ancestral supports prediction_type epsilon and "
                    + "v_prediction only");
        }
    }

    @Override
    protected double[] schedule(int steps) {
        double[] timesteps = spacedTimesteps(steps);
        sigmas = withFinal(interpolatedSigmas(timesteps), 0);
        return timesteps;
    }

    @Override
    protected float[] step(float[] modelOutput, float[] sample, long[] shape, int index, NoiseSource noise) {
        double sigma = sigmas[index];
        double next = sigmas[index + 1];
        float[] original = denoised(modelOutput, sample, sigma);
        double up = Math.sqrt(next * next * (sigma * sigma - next * next) / (sigma * sigma));
        double down = Math.sqrt(Math.max(0, next * next - up * up));
        double dt = down - sigma;
        float[] drift = Elementwise.map(sample, original, (x, x0) -> x + (x - x0) / sigma * dt);
        float[] fresh = noise.randn(shape);
        return Elementwise.map(drift, fresh, (x, n) -> x + n * up);
    }
}
