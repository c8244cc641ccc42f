package org.diffij.schedulers;

import org.diffij.noise.NoiseSource;

/**
 * Euler's method on the probability-flow ODE (Karras et al. 2022, algorithm 2 without churn). Like
 * diffusers it draws (and, with no churn, ignores) a noise tensor every step, so seeded generators and
 * recorded draws stay in step with diffusers.
 */
final class EulerScheduler extends SigmaScheduler {

    private final Double sigmaMin;
    private final Double sigmaMax;
    private final boolean continuousTimesteps;

    EulerScheduler(ConfigJson json) {
        super(SchedulerType.EULER, json, true);
        json.choice("interpolation_type", "linear", "linear");
        this.sigmaMin = json.optionalNumber("sigma_min");
        this.sigmaMax = json.optionalNumber("sigma_max");
        String timestepType = json.choice("timestep_type", "discrete", "discrete", "continuous");
        this.continuousTimesteps = timestepType.equals("continuous")
                && config.predictionType() == PredictionType.V_PREDICTION;
    }

    @Override
    protected double[] schedule(int steps) {
        double[] timesteps = spacedTimesteps(steps);
        double[] values = interpolatedSigmas(timesteps);
        if (config.useKarrasSigmas()) {
            values = ScheduleMath.karras(sigmaMin != null ? sigmaMin : values[values.length - 1],
                    sigmaMax != null ? sigmaMax : values[0], steps);
            timesteps = ScheduleMath.toFloat32(timestepsOf(values));
        }
        double last = config.finalSigmasType().equals("sigma_min") ? noiseSchedule.sigmas()[0] : 0;
        sigmas = withFinal(values, last);
        if (continuousTimesteps) {
            for (int i = 0; i < timesteps.length; i++) {
                timesteps[i] = 0.25f * (float) Math.log(sigmas[i]);
            }
        }
        return timesteps;
    }

    @Override
    protected float[] step(float[] modelOutput, float[] sample, long[] shape, int index, NoiseSource noise) {
        double sigma = sigmas[index];
        noise.randn(shape);
        float[] original = denoised(modelOutput, sample, sigma);
        double dt = sigmas[index + 1] - sigma;
        return Elementwise.map(sample, original, (x, x0) -> x + (x - x0) / sigma * dt);
    }
}
