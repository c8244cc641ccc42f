package org.diffij.schedulers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import java.util.Arrays;
import org.diffij.DiffijException;

/**
 * The training noise schedule: betas, the cumulative products of alphas, and the Karras-style sigmas
 * {@code sqrt((1 - alpha_bar) / alpha_bar)}. Diffusers keeps these as float32 tensors (betas from a
 * float32 linspace, a cumulative product accumulated in double, each stored rounded), and the rounding
 * shows at the noisy end (sigma ~ 14.6), so they are computed here with the same float32 steps.
 *
 * <p>For training, {@link #forTraining} reads a model's scheduler config as the diffusers scripts do
 * ({@code DDPMScheduler.from_pretrained(model, subfolder="scheduler")}), and the batched methods on
 * engine arrays ({@link #addNoise}, {@link #velocity}, {@link #snr}, {@link #minSnrWeights}) compute
 * in float32 with the operations of {@code DDPMScheduler} and {@code diffusers.training_utils}.
 */
public final class NoiseSchedule {

    private final float[] alphasCumprod;
    /** {@code sqrt(alpha_bar)} and {@code sqrt(1 - alpha_bar)} per timestep: what noising multiplies by. */
    private final float[] signal;
    private final float[] spread;
    private final float[] sigmas;
    private final float[] logSigmas;
    private final PredictionType predictionType;

    private NoiseSchedule(float[] alphasCumprod, PredictionType predictionType) {
        this(alphasCumprod, roots(alphasCumprod, false), roots(alphasCumprod, true), predictionType);
    }

    private NoiseSchedule(float[] alphasCumprod, float[] signal, float[] spread, PredictionType predictionType) {
        this.alphasCumprod = alphasCumprod;
        this.signal = signal;
        this.spread = spread;
        this.predictionType = predictionType;
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
        return new NoiseSchedule(cumprod, config.predictionType());
    }

    /**
     * The DDPM training schedule of a model's {@code scheduler_config.json} of any scheduler class:
     * the keys DDPMScheduler has are taken, the others dropped, missing ones defaulted.
     */
    public static NoiseSchedule forTraining(JsonObject schedulerConfig) {
        ConfigJson json = new ConfigJson(SchedulerType.DDPM.resolve(schedulerConfig, new JsonObject()));
        return of(SchedulerConfig.read(json), false);
    }

    /**
     * The schedule the original LDM code trains with (A1111's training, {@code LatentDiffusion.register_schedule}
     * with the "linear" schedule): betas {@code linspace(sqrt(beta_start), sqrt(beta_end), n)²}, their
     * cumulative product and both square roots in float64, each stored as float32. For a config whose
     * betas are not {@code scaled_linear} (LDM's "linear") it is {@link #forTraining}'s schedule.
     */
    public static NoiseSchedule ldmTraining(JsonObject schedulerConfig) {
        ConfigJson json = new ConfigJson(SchedulerType.DDPM.resolve(schedulerConfig, new JsonObject()));
        SchedulerConfig config = SchedulerConfig.read(json);
        if (!config.betaSchedule().equals("scaled_linear") || config.trainedBetas() != null
                || config.rescaleBetasZeroSnr()) {
            return of(config, false);
        }
        int n = config.numTrainTimesteps();
        double start = Math.sqrt(config.betaStart());
        double step = (Math.sqrt(config.betaEnd()) - start) / (n - 1);
        float[] alphas = new float[n];
        float[] signal = new float[n];
        float[] spread = new float[n];
        double product = 1;
        for (int t = 0; t < n; t++) {
            double root = start + step * t;
            product *= 1 - root * root;
            alphas[t] = (float) product;
            signal[t] = (float) Math.sqrt(product);
            spread[t] = (float) Math.sqrt(1 - product);
        }
        return new NoiseSchedule(alphas, signal, spread, config.predictionType());
    }

    /** {@code sqrt(a)} or {@code sqrt(1 - a)} of each float32 alpha_bar in float32, as diffusers computes them. */
    private static float[] roots(float[] alphasCumprod, boolean ofComplement) {
        float[] out = new float[alphasCumprod.length];
        for (int t = 0; t < out.length; t++) {
            out[t] = (float) Math.sqrt(ofComplement ? 1f - alphasCumprod[t] : alphasCumprod[t]);
        }
        return out;
    }

    /** What the model predicts according to its config (the training target unless overridden). */
    public PredictionType predictionType() {
        return predictionType;
    }

    /** {@code sqrt(ac[t]) * latents + sqrt(1 - ac[t]) * noise} per sample of the batch (DDPMScheduler.add_noise). */
    public NDArray addNoise(NDArray latents, NDArray noise, NDArray timesteps) {
        return mix(latents, noise, timesteps, false);
    }

    /** The v-prediction target {@code sqrt(ac[t]) * noise - sqrt(1 - ac[t]) * latents} (DDPMScheduler.get_velocity). */
    public NDArray velocity(NDArray latents, NDArray noise, NDArray timesteps) {
        return mix(latents, noise, timesteps, true);
    }

    private NDArray mix(NDArray latents, NDArray noise, NDArray timesteps, boolean velocity) {
        NDManager owner = latents.getManager();
        try (NDManager scope = owner.newSubManager()) {
            latents.tempAttach(scope);
            noise.tempAttach(scope);
            NDArray steps = timesteps.toType(DataType.INT64, false);
            long[] broadcast = new long[latents.getShape().dimension()];
            Arrays.fill(broadcast, 1);
            broadcast[0] = steps.size();
            NDArray a = scope.create(this.signal).get(steps).reshape(broadcast);
            NDArray b = scope.create(this.spread).get(steps).reshape(broadcast);
            NDArray result = velocity ? a.mul(noise).subi(b.mul(latents)) : a.mul(latents).addi(b.mul(noise));
            result.attach(owner);
            return result;
        }
    }

    /** The signal-to-noise ratio {@code (sqrt(ac[t]) / sqrt(1 - ac[t]))^2} per timestep (training_utils.compute_snr). */
    public NDArray snr(NDArray timesteps) {
        NDManager manager = timesteps.getManager();
        try (NDManager scope = manager.newSubManager()) {
            NDArray table = scope.create(alphasCumprod);
            NDArray ratio = table.sqrt().divi(table.neg().addi(1f).sqrt()).get(timesteps.toType(DataType.INT64, false));
            NDArray snr = ratio.square();
            snr.attach(manager);
            return snr;
        }
    }

    /**
     * The per-sample loss weights of min-SNR-gamma weighting (Hang et al. 2023, as the diffusers scripts
     * apply it): {@code min(snr, gamma) / snr} for an epsilon target, {@code min(snr, gamma) / (snr + 1)}
     * for a v-prediction target.
     */
    public NDArray minSnrWeights(NDArray timesteps, double gamma, PredictionType target) {
        if (target == PredictionType.SAMPLE) {
            throw new DiffijException("min-SNR weighting is defined for epsilon and v_prediction "
                    + "targets, not sample");
        }
        NDManager manager = timesteps.getManager();
        try (NDManager scope = manager.newSubManager()) {
            NDArray snr = snr(timesteps);
            snr.attach(scope);
            NDArray clipped = snr.minimum((float) gamma);
            NDArray weights = target == PredictionType.EPSILON ? clipped.div(snr) : clipped.div(snr.add(1f));
            weights.attach(manager);
            return weights;
        }
    }

    /**
     * Noise offset (Guttenberg 2023, the scripts' {@code --noise_offset}): {@code noise + offset * randn(B, C, 1, 1)}
     * drawn from the engine's generator after the noise itself, so that the model learns to shift the mean.
     */
    public static NDArray offsetNoise(NDArray noise, double offset) {
        long[] shape = noise.getShape().getShape();
        try (NDArray shift = noise.getManager().randomNormal(new Shape(shape[0], shape[1], 1, 1))) {
            return noise.add(shift.muli(offset));
        }
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

    /**
     * {@code torch.linspace} in float32 as torch's vectorised CPU kernel computes it (AVX2, with the
     * multiply-adds the compiler fuses): blocks of 8 from a base {@code start + step * i} (past halfway
     * {@code end - step * (steps - 1 - i)}), each element {@code base + j * step}; the elements after the
     * last pair of blocks one by one. A plain {@code start + step * i} differs by an ulp in places, which
     * the alphas_cumprod the training scripts use show (checked on the golden training cases).
     */
    private static float[] torchLinspace(float start, float end, int steps) {
        final int width = 8;
        float step = (end - start) / (steps - 1);
        float[] out = new float[steps];
        int halfway = steps / 2;
        int vectorised = steps / (2 * width) * (2 * width);
        for (int i = 0; i < vectorised; i += width) {
            float base = linspaceElement(start, end, step, steps, halfway, i);
            for (int j = 0; j < width; j++) {
                out[i + j] = Math.fma(j, step, base);
            }
        }
        for (int i = vectorised; i < steps; i++) {
            out[i] = linspaceElement(start, end, step, steps, halfway, i);
        }
        return out;
    }

    private static float linspaceElement(float start, float end, float step, int steps, int halfway, int i) {
        return i < halfway ? Math.fma(step, i, start) : Math.fma(-step, steps - i - 1, end);
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

    public int trainSteps() {
        return alphasCumprod.length;
    }

    /** alpha_bar at an integer training timestep. */
    public float alphaCumprod(int t) {
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
