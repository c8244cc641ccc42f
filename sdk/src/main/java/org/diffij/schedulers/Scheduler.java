package org.diffij.schedulers;

import com.google.gson.JsonObject;
import java.util.Arrays;
import org.diffij.DiffijException;
import org.diffij.io.HostTensor;
import org.diffij.noise.NoiseSource;

/**
 * A diffusion sampler reproducing one diffusers scheduler class. The denoising loop is:
 *
 * <pre>
 * scheduler.setTimesteps(steps, strength);               // strength 1 for txt2img
 * latents = img2img ? scheduler.addNoise(initLatents, noise.randnTensor(shape))
 *                   : noise * scheduler.initNoiseSigma();
 * for (double t : scheduler.timesteps()) {               // one model evaluation each
 *     HostTensor input = scheduler.scaleModelInput(latents);
 *     HostTensor prediction = model(input, t);            // after classifier-free guidance
 *     latents = scheduler.step(prediction, latents, noise);
 * }
 * </pre>
 *
 * The scheduler tracks its position itself: {@link #scaleModelInput} and {@link #step} always refer
 * to the current timestep, and {@link #addNoise} noises to the level of the current timestep (before
 * the first step: the img2img start; after step i: timestep i + 1, as inpainting's latent blending
 * needs). Second-order schedulers (Heun) list each inner timestep twice; {@link #order()} says how many
 * model evaluations make one user step. Values are float32 like diffusers' tensors; arithmetic runs in
 * double. Instances are stateful: one per generation.
 */
public abstract class Scheduler {

    protected final SchedulerConfig config;
    protected final NoiseSchedule noiseSchedule;
    private final SchedulerType type;
    private final JsonObject resolvedConfig;
    private double[] timesteps;
    private int inferenceSteps;
    private int beginIndex;
    private int stepIndex;

    protected Scheduler(SchedulerType type, ConfigJson json, boolean clampTerminalAlpha) {
        this.type = type;
        this.resolvedConfig = json.json().deepCopy();
        this.config = SchedulerConfig.read(json);
        this.noiseSchedule = NoiseSchedule.of(config, clampTerminalAlpha);
    }

    /** Prepares a full schedule of {@code steps} steps (txt2img). */
    public final void setTimesteps(int steps) {
        setTimesteps(steps, 1.0);
    }

    /**
     * Prepares {@code steps} steps and, for img2img, skips the first {@code 1 - strength} of them the
     * way diffusers' img2img pipelines do: {@code int(steps * strength)} steps remain.
     */
    public final void setTimesteps(int steps, double strength) {
        if (steps < 1 || steps > config.numTrainTimesteps()) {
            throw new DiffijException("steps must be between 1 and " + config.numTrainTimesteps() + ", got " + steps);
        }
        if (!(strength > 0 && strength <= 1)) {
            throw new DiffijException("strength must be in (0, 1], got " + strength);
        }
        int kept = Math.min((int) (steps * strength), steps);
        if (kept == 0) {
            throw new DiffijException("strength " + strength + " with " + steps
                    + " steps leaves no denoising step; raise the strength or the steps");
        }
        this.inferenceSteps = steps;
        this.timesteps = schedule(steps);
        this.beginIndex = (steps - kept) * order();
        this.stepIndex = beginIndex;
    }

    /**
     * Computes the full timestep list for {@code steps} steps (and the scheduler's sigma tables) and
     * resets the solver state.
     */
    protected abstract double[] schedule(int steps);

    /** The timesteps the loop visits from the start (after img2img skipping) to the end. */
    public final double[] timesteps() {
        requireSchedule();
        return Arrays.copyOfRange(timesteps, beginIndex, timesteps.length);
    }

    /** The sigma table of the whole schedule (one more than the timesteps); empty for alpha-based schedulers. */
    public float[] sigmas() {
        return new float[0];
    }

    /** The factor pure noise is scaled by to start txt2img. */
    public double initNoiseSigma() {
        return 1.0;
    }

    /** Model evaluations per user step: 2 for Heun, 1 otherwise. */
    public int order() {
        return 1;
    }

    /** The requested number of steps. */
    public final int inferenceSteps() {
        return inferenceSteps;
    }

    /** Whether every timestep has been stepped. */
    public final boolean finished() {
        requireSchedule();
        return stepIndex >= timesteps.length;
    }

    /** How many timesteps of {@link #timesteps()} have been stepped (for progress and ControlNet windows). */
    public final int stepIndex() {
        requireSchedule();
        return stepIndex - beginIndex;
    }

    /** The timestep the next {@link #step} handles. */
    public final double currentTimestep() {
        return timesteps[currentIndex()];
    }

    public final SchedulerType type() {
        return type;
    }

    public final SchedulerConfig config() {
        return config;
    }

    /** The full resolved config (every key of the class), for provenance. */
    public final JsonObject resolvedConfig() {
        return resolvedConfig.deepCopy();
    }

    /** The model input for the current timestep; sigma schedulers divide by sqrt(sigma^2 + 1). */
    public final HostTensor scaleModelInput(HostTensor sample) {
        int index = currentIndex();
        return HostTensor.ofFloats(scaleModelInput(sample.toFloatArray(), index), sample.shape());
    }

    protected float[] scaleModelInput(float[] sample, int index) {
        return sample;
    }

    /** One solver step from the current timestep to the next; stochastic schedulers draw from {@code noise}. */
    public final HostTensor step(HostTensor modelOutput, HostTensor sample, NoiseSource noise) {
        int index = currentIndex();
        if (!Arrays.equals(modelOutput.shape(), sample.shape())) {
            throw new DiffijException("model output of shape " + Arrays.toString(modelOutput.shape())
                    + " does not match the sample of shape " + Arrays.toString(sample.shape()));
        }
        float[] next = step(modelOutput.toFloatArray(), sample.toFloatArray(), sample.shape(), index, noise);
        stepIndex++;
        return HostTensor.ofFloats(next, sample.shape());
    }

    protected abstract float[] step(float[] modelOutput, float[] sample, long[] shape, int index, NoiseSource noise);

    /** {@code original} noised with {@code noise} to the level of the current timestep. */
    public final HostTensor addNoise(HostTensor original, HostTensor noise) {
        int index = currentIndex();
        if (!Arrays.equals(original.shape(), noise.shape())) {
            throw new DiffijException("noise of shape " + Arrays.toString(noise.shape())
                    + " does not match the sample of shape " + Arrays.toString(original.shape()));
        }
        return HostTensor.ofFloats(addNoise(original.toFloatArray(), noise.toFloatArray(), index), original.shape());
    }

    protected abstract float[] addNoise(float[] original, float[] noise, int index);

    /** The whole timestep list (the img2img part included). */
    protected final double[] allTimesteps() {
        return timesteps;
    }

    /** alpha_bar-based noising, {@code sqrt(a) x + sqrt(1 - a) n}, of DDIM, DDPM and PNDM. */
    protected final float[] addNoiseAtTrainTimestep(float[] original, float[] noise, int t) {
        float a = noiseSchedule.alphaCumprod(t);
        double signal = Math.sqrt(a);
        double spread = Math.sqrt(1f - a);
        return Elementwise.map(original, noise, (x, n) -> signal * x + spread * n);
    }

    private int currentIndex() {
        requireSchedule();
        if (stepIndex >= timesteps.length) {
            throw new DiffijException("the scheduler has already stepped through all " + timesteps.length
                    + " timesteps");
        }
        return stepIndex;
    }

    private void requireSchedule() {
        if (timesteps == null) {
            throw new IllegalStateException("setTimesteps must be called first");
        }
    }
}
