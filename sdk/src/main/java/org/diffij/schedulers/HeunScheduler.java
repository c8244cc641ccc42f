package org.diffij.schedulers;

import org.diffij.noise.NoiseSource;

/**
 * Heun's second-order method (Karras et al. 2022, algorithm 1): an Euler predictor to the next sigma,
 * then a corrector that averages the two slopes. Every timestep but the first is listed twice (2n - 1
 * model evaluations for n steps); the last step, to sigma 0, is a plain Euler step.
 */
final class HeunScheduler extends SigmaScheduler {

    private float[] firstSlope;
    private float[] firstSample;
    private double firstDt;

    HeunScheduler(ConfigJson json) {
        super(SchedulerType.HEUN, json, false);
    }

    @Override
    public int order() {
        return 2;
    }

    @Override
    protected double[] schedule(int steps) {
        double[] timesteps = spacedTimesteps(steps);
        double[] values = interpolatedSigmas(timesteps);
        if (config.useKarrasSigmas()) {
            values = ScheduleMath.karras(values[values.length - 1], values[0], steps);
            timesteps = timestepsOf(values);
        }
        float[] single = withFinal(values, 0);
        sigmas = new float[2 * steps];
        double[] doubled = new double[2 * steps - 1];
        sigmas[0] = single[0];
        doubled[0] = timesteps[0];
        for (int i = 1; i < steps; i++) {
            sigmas[2 * i - 1] = single[i];
            sigmas[2 * i] = single[i];
            doubled[2 * i - 1] = timesteps[i];
            doubled[2 * i] = timesteps[i];
        }
        sigmas[2 * steps - 1] = single[steps];
        firstSlope = null;
        firstSample = null;
        return doubled;
    }

    @Override
    protected float[] step(float[] modelOutput, float[] sample, long[] shape, int index, NoiseSource noise) {
        boolean predictor = firstSlope == null;
        double sigma = predictor ? sigmas[index] : sigmas[index - 1];
        double next = predictor ? sigmas[index + 1] : sigmas[index];
        float[] original = denoised(modelOutput, sample, predictor ? sigma : next);
        if (config.clipSample()) {
            original = Elementwise.clamp(original, config.clipSampleRange());
        }
        if (predictor) {
            double dt = next - sigma;
            float[] slope = Elementwise.map(sample, original, (x, x0) -> (x - x0) / sigma);
            firstSlope = slope;
            firstSample = sample;
            firstDt = dt;
            return Elementwise.map(sample, slope, (x, d) -> x + d * dt);
        }
        float[] corrected = Elementwise.map(sample, original, firstSlope, (x, x0, d0) -> (d0 + (x - x0) / next) / 2);
        float[] start = firstSample;
        double dt = firstDt;
        firstSlope = null;
        firstSample = null;
        return Elementwise.map(start, corrected, (x, d) -> x + d * dt);
    }
}
