package org.diffij.schedulers;

import java.util.ArrayList;
import java.util.List;
import org.diffij.noise.NoiseSource;

/**
 * The linear multistep method of k-diffusion (order 4): the slopes of up to four past steps are
 * combined with the integrals of their Lagrange basis polynomials over the current sigma interval.
 */
final class LmsScheduler extends SigmaScheduler {

    private static final int ORDER = 4;
    /** Gauss-Legendre nodes and weights on [-1, 1]: exact for the cubic Lagrange polynomials. */
    private static final double[] NODES = {-0.8611363115940526, -0.3399810435848563, 0.3399810435848563,
        0.8611363115940526};
    private static final double[] WEIGHTS = {0.3478548451374538, 0.6521451548625461, 0.6521451548625461,
        0.3478548451374538};

    private final List<float[]> slopes = new ArrayList<>();

    LmsScheduler(ConfigJson json) {
        super(SchedulerType.LMS, json, false);
    }

    @Override
    protected double[] schedule(int steps) {
        double[] timesteps = spacedTimesteps(steps);
        double[] values = interpolatedSigmas(timesteps);
        if (config.useKarrasSigmas()) {
            values = ScheduleMath.karras(values[values.length - 1], values[0], steps);
            timesteps = timestepsOf(values);
        }
        sigmas = withFinal(values, 0);
        slopes.clear();
        return timesteps;
    }

    @Override
    protected float[] step(float[] modelOutput, float[] sample, long[] shape, int index, NoiseSource noise) {
        double sigma = sigmas[index];
        float[] original = denoised(modelOutput, sample, sigma);
        slopes.add(Elementwise.map(sample, original, (x, x0) -> (x - x0) / sigma));
        if (slopes.size() > ORDER) {
            slopes.remove(0);
        }
        int order = Math.min(index + 1, ORDER);
        int used = Math.min(order, slopes.size());
        double[] coefficients = new double[used];
        for (int k = 0; k < used; k++) {
            coefficients[k] = coefficient(order, index, k);
        }
        float[] out = new float[sample.length];
        for (int i = 0; i < out.length; i++) {
            double x = sample[i];
            for (int k = 0; k < used; k++) {
                x += coefficients[k] * slopes.get(slopes.size() - 1 - k)[i];
            }
            out[i] = (float) x;
        }
        return out;
    }

    /** The integral from sigma_t to sigma_{t+1} of the Lagrange basis polynomial of node {@code t - current}. */
    private double coefficient(int order, int t, int current) {
        double from = sigmas[t];
        double to = sigmas[t + 1];
        double half = (to - from) / 2;
        double middle = (to + from) / 2;
        double integral = 0;
        for (int q = 0; q < NODES.length; q++) {
            double tau = middle + half * NODES[q];
            double product = 1;
            for (int k = 0; k < order; k++) {
                if (k != current) {
                    product *= (tau - sigmas[t - k]) / (sigmas[t - current] - sigmas[t - k]);
                }
            }
            integral += WEIGHTS[q] * product;
        }
        return integral * half;
    }
}
