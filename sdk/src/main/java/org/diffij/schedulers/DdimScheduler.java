package org.diffij.schedulers;

import org.diffij.noise.NoiseSource;

/**
 * DDIM (Song et al. 2020) with eta = 0: the deterministic update
 * {@code x_prev = sqrt(a_prev) x0 + sqrt(1 - a_prev) eps}, the previous timestep being
 * {@code t - num_train_timesteps / steps} whatever the spacing (as diffusers does).
 */
final class DdimScheduler extends Scheduler {

    DdimScheduler(ConfigJson json) {
        super(SchedulerType.DDIM, json, false);
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
        double alphaPrevious = previous >= 0 ? noiseSchedule.alphaCumprod(previous)
                : config.setAlphaToOne() ? 1.0 : noiseSchedule.alphaCumprod(0);
        AlphaPrediction prediction = AlphaPrediction.of(config, modelOutput, sample, alpha);
        double signal = Math.sqrt(alphaPrevious);
        double direction = Math.sqrt(1 - alphaPrevious);
        return Elementwise.map(prediction.original(), prediction.epsilon(),
                (x0, eps) -> signal * x0 + direction * eps);
    }

    @Override
    protected float[] addNoise(float[] original, float[] noise, int index) {
        return addNoiseAtTrainTimestep(original, noise, (int) allTimesteps()[index]);
    }
}
