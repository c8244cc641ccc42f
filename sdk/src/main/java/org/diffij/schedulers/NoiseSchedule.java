package org.diffij.schedulers;

/**
 * The training noise schedule: betas, the cumulative products of alphas, and the Karras-style sigmas
 * {@code sqrt((1 - alpha_bar) / alpha_bar)}. Diffusers keeps these as float32 tensors (betas from a
 * float32 linspace, a cumulative product accumulated in double, each stored rounded), and the rounding
 * shows at the noisy end (sigma ~ 14.6), so they are computed here with the same float32 steps.
 */
final class NoiseSchedule {

    private final float[] alphasCumprod;
    private final float[] sigmas;
    private final float[] logSigmas;

    private NoiseSchedule(float[] alphasCumprod) {
        this.alphasCumprod = alphasCumprod;
        this.sigmas = new float[alphasCumprod.length];
        this.logSigmas = new float[alphasCumprod.length];
        for (int t = 0; t < alphasCumprod.length; t++) {
            float a = alphasCumprod[t];
            sigmas[t] = (float) Math.sqrt((1f - a) / a);
            logSigmas[t] = (float) Math.log(sigmas[t]);
        }
    }

    /**
     * The schedule of a config. {@code clampTerminal} is for the schedulers that, with zero terminal
     * SNR, replace the final alpha_bar of 0 by 2^-24 so that the largest sigma stays finite.
     */
    static NoiseSchedule of(SchedulerConfig config, boolean clampTerminal) {
        float[] betas = betas(config);
        if (config.rescaleBetasZeroSnr()) {
            betas = rescaleZeroTerminalSnr(betas);
        }
        float[] cumprod = cumprod(betas);
        if (config.rescaleBetasZeroSnr() && clampTerminal) {
            cumprod[cumprod.length - 1] = 0x1.0p-24f;
        }
        return new NoiseSchedule(cumprod);
    }

    private static float[] betas(SchedulerConfig config) {
        int n = config.numTrainTimesteps();
        if (config.trainedBetas() != null) {
            float[] betas = new float[n];
            for (int i = 0; i < n; i++) {
                betas[i] = (float) config.trainedBetas()[i];
            }
            return betas;
        }
        return switch (config.betaSchedule()) {
            case "linear" -> torchLinspace((float) config.betaStart(), (float) config.betaEnd(), n);
            case "scaled_linear" -> {
                float[] roots = torchLinspace((float) Math.sqrt(config.betaStart()),
                        (float) Math.sqrt(config.betaEnd()), n);
                for (int i = 0; i < n; i++) {
                    roots[i] = roots[i] * roots[i];
                }
                yield roots;
            }
            default -> squaredCosine(n);
        };
    }

    /** {@code torch.linspace} in float32: from the start for the first half, from the end for the rest. */
    private static float[] torchLinspace(float start, float end, int steps) {
        float step = (end - start) / (steps - 1);
        float[] out = new float[steps];
        int halfway = steps / 2;
        for (int i = 0; i < steps; i++) {
            out[i] = i < halfway ? start + step * i : end - step * (steps - i - 1);
        }
        return out;
    }

    /** Nichol and Dhariwal's cosine schedule (squaredcos_cap_v2), betas capped at 0.999. */
    private static float[] squaredCosine(int n) {
        float[] betas = new float[n];
        for (int i = 0; i < n; i++) {
            double t1 = (double) i / n;
            double t2 = (double) (i + 1) / n;
            betas[i] = (float) Math.min(1 - alphaBar(t2) / alphaBar(t1), 0.999);
        }
        return betas;
    }

    private static double alphaBar(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    private static float[] cumprod(float[] betas) {
        float[] out = new float[betas.length];
        double product = 1;
        for (int i = 0; i < betas.length; i++) {
            product *= 1f - betas[i];
            out[i] = (float) product;
        }
        return out;
    }

    /** Lin et al. (2023), algorithm 1: shift and scale sqrt(alpha_bar) so that the last one is zero. */
    private static float[] rescaleZeroTerminalSnr(float[] betas) {
        float[] cumprod = cumprod(betas);
        int n = betas.length;
        float[] root = new float[n];
        for (int i = 0; i < n; i++) {
            root[i] = (float) Math.sqrt(cumprod[i]);
        }
        float first = root[0];
        float last = root[n - 1];
        float scale = first / (first - last);
        float[] bar = new float[n];
        for (int i = 0; i < n; i++) {
            float shifted = (root[i] - last) * scale;
            bar[i] = shifted * shifted;
        }
        float[] out = new float[n];
        out[0] = 1f - bar[0];
        for (int i = 1; i < n; i++) {
            out[i] = 1f - bar[i] / bar[i - 1];
        }
        return out;
    }

    int trainSteps() {
        return alphasCumprod.length;
    }

    /** alpha_bar at an integer training timestep. */
    float alphaCumprod(int t) {
        return alphasCumprod[t];
    }

    /** The sigma of every training timestep, increasing with t (float32). */
    float[] sigmas() {
        return sigmas;
    }

    /**
     * The fractional training timestep of a sigma, interpolated linearly in log sigma between the two
     * neighbouring training sigmas (diffusers' {@code _sigma_to_t}).
     */
    double timestepOf(double sigma) {
        double logSigma = Math.log(Math.max(sigma, 1e-10));
        int low = 0;
        for (int i = 0; i < logSigmas.length; i++) {
            if (logSigma - logSigmas[i] >= 0) {
                low = i;
            }
        }
        low = Math.min(low, logSigmas.length - 2);
        double lowValue = logSigmas[low];
        double highValue = logSigmas[low + 1];
        double w = (lowValue - logSigma) / (lowValue - highValue);
        w = Math.min(1, Math.max(0, w));
        return (1 - w) * low + w * (low + 1);
    }

    /** {@code log(alpha_t) - log(sigma_t)} of a training timestep in float32, for DPM-Solver's clipping. */
    float lambda(int t) {
        float a = alphasCumprod[t];
        float alpha = (float) Math.sqrt(a);
        float sigma = (float) Math.sqrt(1f - a);
        return (float) Math.log(alpha) - (float) Math.log(sigma);
    }
}
