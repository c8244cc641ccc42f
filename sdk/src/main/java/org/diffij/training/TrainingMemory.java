package org.diffij.training;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import org.diffij.DiffijException;
import org.diffij.pipelines.StableDiffusionModel;

/**
 * What a run will hold in memory, estimated before it starts: the loaded model, the optimiser's
 * float32 copies of every trained value (an adapter: the value, its gradient, AdamW's two moments;
 * full fine-tuning: the gradient and the two moments of weights the model already holds) and the
 * UNet's activations kept for the backward pass, plus the runtime's own share. The activation term is
 * linear in batch, latent pixels and the UNet's base width; its coefficients are fitted to Diffij's own
 * peak RSS in {@code diffij bench train} (full-size SD 1.5 LoRA rank 4 on attention, batch 1, 2 threads:
 * 5.41 GB at 256², 7.26 GB at 512²), rounded up so that the estimate errs on the safe side.
 *
 * With gradient checkpointing only the UNet blocks' boundary states and one block's recomputation are
 * alive, a share of the activations measured the same way.
 *
 * @param trainedState  what {@code trainedBytes} is, in words
 * @param checkpointed  whether the activations are those of a checkpointed forward
 */
public record TrainingMemory(long modelBytes, long trainedBytes, long activationBytes, long runtimeBytes,
        String trainedState, boolean checkpointed) {

    /**
     * The share of the activations that gradient checkpointing keeps, rounded up from {@code diffij bench
     * train}: the checkpointed SD 1.5 LoRA step peaked 0.27 GB lower at 256² and 1.09 GB lower at 512²,
     * about half of the activation term.
     */
    static final double CHECKPOINTED_ACTIVATION_SHARE = 0.6;

    /** An adapter run's activation bytes per latent pixel, per sample and per channel of the UNet's first block. */
    static final double ACTIVATION_BYTES_PER_PIXEL_CHANNEL = 1_800;
    /** An adapter run's memory beside weights and activations (libtorch, the JVM, the latent cache). */
    static final long RUNTIME_BYTES = 1_000_000_000L;

    /** An adapter of {@code trainedValues} values beside the frozen model. */
    public static TrainingMemory estimate(StableDiffusionModel model, long trainedValues, TrainingRequest request,
            int largestWidth, int largestHeight) {
        return new TrainingMemory(model.sizeBytes(), 16 * trainedValues, activations(model,
                ACTIVATION_BYTES_PER_PIXEL_CHANNEL, request.batch(), largestWidth, largestHeight), RUNTIME_BYTES,
                String.format(Locale.ROOT, "%.1f M values x (value, gradient, 2 AdamW moments)", trainedValues / 1e6),
                false);
    }

    /**
     * Full fine-tuning's activations and runtime, fitted to Diffij's own peak RSS in {@code diffij bench
     * dreambooth} (full-size SD 1.5, 2 threads: 16.17 GB at 256², 16.75 GB with a prior row, 17.52 GB at
     * 512², of which 14.24 GB weights and optimiser state): 1.5 GB plus 1500 bytes per latent pixel,
     * sample and base-width channel.
     */
    static final double FULL_FINE_TUNE_BYTES_PER_PIXEL_CHANNEL = 1_500;
    static final long FULL_FINE_TUNE_RUNTIME_BYTES = 1_500_000_000L;

    /**
     * Full fine-tuning of {@code trainedValues} of the model's own weights, a batch of {@code rows}
     * rows per instance batch row (2 with prior preservation) and {@code frozenBytes} of extra frozen
     * weights (the base UNet that prior prediction keeps).
     */
    public static TrainingMemory fullFineTune(StableDiffusionModel model, long trainedValues, long frozenBytes,
            int rows, TrainingRequest request, int largestWidth, int largestHeight) {
        return new TrainingMemory(model.sizeBytes() + frozenBytes, 12 * trainedValues, activations(model,
                FULL_FINE_TUNE_BYTES_PER_PIXEL_CHANNEL, rows * request.batch(), largestWidth, largestHeight),
                FULL_FINE_TUNE_RUNTIME_BYTES, String.format(Locale.ROOT, "%.1f M weights x (gradient, 2 AdamW moments)",
                trainedValues / 1e6), false);
    }

    private static long activations(StableDiffusionModel model, double bytesPerPixelChannel, int batch,
            int largestWidth, int largestHeight) {
        int scale = model.vaeScaleFactor();
        long latentPixels = (long) (largestWidth / scale) * (largestHeight / scale);
        int baseWidth = model.unet().config().blockOutChannels()[0];
        return (long) (bytesPerPixelChannel * baseWidth * latentPixels * batch);
    }

    /** The same run with gradient checkpointing. */
    public TrainingMemory withGradientCheckpointing() {
        return checkpointed ? this : new TrainingMemory(modelBytes, trainedBytes,
                (long) (activationBytes * CHECKPOINTED_ACTIVATION_SHARE), runtimeBytes, trainedState, true);
    }

    public long totalBytes() {
        return modelBytes + trainedBytes + activationBytes + runtimeBytes;
    }

    public String describe() {
        return String.format(Locale.ROOT, "memory estimate %.2f GB (model %.2f, trained state %.2f = %s, "
                + "activations %.2f%s, runtime %.2f)", totalBytes() / 1e9, modelBytes / 1e9, trainedBytes / 1e9,
                trainedState, activationBytes / 1e9, checkpointed ? " with gradient checkpointing" : "",
                runtimeBytes / 1e9);
    }

    /** Whether the run fits in this machine's memory (with a tenth left to the rest of the system). */
    public boolean fits() {
        return totalBytes() <= physicalBytes() * 0.9;
    }

    /** Refuses a run that will not fit in this machine's memory, saying what to change. */
    public void requireFits() {
        if (!fits()) {
            throw new DiffijException(String.format(Locale.ROOT, "this run needs about %.1f GB but the machine has "
                    + "%.1f GB: %slower resolution or batch, or train fewer parameters (LoRA rank, or LoRA instead of "
                    + "DreamBooth)", totalBytes() / 1e9, physicalBytes() / 1e9, checkpointed ? ""
                    : "turn on gradient_checkpointing, "));
        }
    }

    private static long physicalBytes() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
    }
}
