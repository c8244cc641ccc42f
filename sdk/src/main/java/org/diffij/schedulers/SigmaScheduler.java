package org.diffij.schedulers;

/**
 * The k-diffusion family (Karras et al. 2022) as diffusers runs it on a discrete schedule: the
 * sample lives at noise level sigma ({@code x = x0 + sigma eps}), the model sees
 * {@code x / sqrt(sigma^2 + 1)}, and each timestep has a float32 sigma interpolated from the training
 * sigmas (or a Karras ramp). The sigma table ends with the final sigma (0).
 */
abstract class SigmaScheduler extends Scheduler {

    /** One sigma per timestep index and a final one. */
    protected float[] sigmas = new float[0];

    SigmaScheduler(SchedulerType type, ConfigJson json, boolean clampTerminalAlpha) {
        super(type, json, clampTerminalAlpha);
    }

    @Override
    public final float[] sigmas() {
        return sigmas.clone();
    }

    /** The largest sigma; with leading spacing the model input is not unit-variance there, hence the +1. */
    @Override
    public final double initNoiseSigma() {
        float max = ScheduleMath.max(sigmas);
        if (config.timestepSpacing() == TimestepSpacing.LEADING) {
            return (float) Math.sqrt(max * max + 1f);
        }
        return max;
    }

    @Override
    protected final float[] scaleModelInput(float[] sample, int index) {
        float sigma = sigmas[index];
        float divisor = (float) Math.sqrt(sigma * sigma + 1f);
        float[] out = new float[sample.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = sample[i] / divisor;
        }
        return out;
    }

    @Override
    protected final float[] addNoise(float[] original, float[] noise, int index) {
        float sigma = sigmas[index];
        return Elementwise.map(original, noise, (x, n) -> x + n * sigma);
    }

    /** Float32 timesteps of the configured spacing (linspace not rounded). */
    protected final double[] spacedTimesteps(int steps) {
        return ScheduleMath.toFloat32(
                config.timestepSpacing().timesteps(steps, config.numTrainTimesteps(), config.stepsOffset(), false));
    }

    /** The training sigmas interpolated at (fractional) timesteps. */
    protected final double[] interpolatedSigmas(double[] timesteps) {
        double[] out = new double[timesteps.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = ScheduleMath.interp(timesteps[i], noiseSchedule.sigmas());
        }
        return out;
    }

    /** The fractional training timesteps of sigmas. */
    protected final double[] timestepsOf(double[] sigmaValues) {
        double[] out = new double[sigmaValues.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = noiseSchedule.timestepOf(sigmaValues[i]);
        }
        return out;
    }

    /** Sigmas as float32 with a final sigma appended. */
    protected static float[] withFinal(double[] values, double last) {
        float[] out = new float[values.length + 1];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        out[values.length] = (float) last;
        return out;
    }

    /** The clean sample the model output implies at noise level {@code sigma}. */
    protected final float[] denoised(float[] modelOutput, float[] sample, double sigma) {
        return switch (config.predictionType()) {
            case EPSILON -> Elementwise.map(sample, modelOutput, (x, e) -> x - sigma * e);
            case V_PREDICTION -> {
                double skip = 1 / (sigma * sigma + 1);
                double out = -sigma / Math.sqrt(sigma * sigma + 1);
                yield Elementwise.map(sample, modelOutput, (x, v) -> v * out + x * skip);
            }
            case SAMPLE -> modelOutput;
        };
    }
}
