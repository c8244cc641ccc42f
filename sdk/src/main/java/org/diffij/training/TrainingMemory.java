package org.diffij.training;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import org.diffij.DiffijException;
import org.diffij.pipelines.StableDiffusionModel;

/**
 * What a run will hold in memory, estimated before it starts: the loaded model, four float32
 * copies of every trained value (the value, its gradient, AdamW's two moments) and the UNet's
 * activations kept for the backward pass. The activation term is linear in batch, latent pixels and
 * the UNet's base width; its coefficient comes from the peak RSS diffusers + PEFT reached for a
 * full-size SD 1.5 LoRA step on this machine kind (10.6 GB at 512², about 6.4 GB above the weights,
 * batch 1, base width 320), to be replaced by Diffij's own figure from {@code diffij bench train}.
 */
public record TrainingMemory(long modelBytes, long trainedBytes, long activationBytes) {

    /** Activation bytes per latent pixel, per sample and per channel of the UNet's first block. */
    static final double ACTIVATION_BYTES_PER_PIXEL_CHANNEL = 5_000;

    public static TrainingMemory estimate(StableDiffusionModel model, long trainedValues, TrainingRequest request,
            int largestWidth, int largestHeight) {
        int scale = model.vaeScaleFactor();
        long latentPixels = (long) (largestWidth / scale) * (largestHeight / scale);
        int baseWidth = model.unet().config().blockOutChannels()[0];
        long activations = (long) (ACTIVATION_BYTES_PER_PIXEL_CHANNEL * baseWidth * latentPixels * request.batch());
        return new TrainingMemory(model.sizeBytes(), 16 * trainedValues, activations);
    }

    public long totalBytes() {
        return modelBytes + trainedBytes + activationBytes;
    }

    public String describe() {
        return String.format(Locale.ROOT, "memory estimate %.2f GB (model %.2f, trained state %.2f, activations %.2f)",
                totalBytes() / 1e9, modelBytes / 1e9, trainedBytes / 1e9, activationBytes / 1e9);
    }

    /** Refuses a run that will not fit in this machine's memory, saying what to change. */
    public void requireFits() {
        long physical = ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
        if (totalBytes() > physical * 0.9) {
            throw new DiffijException(String.format(Locale.ROOT, "this run needs about %.1f GB but the machine has "
                    + "%.1f GB: lower resolution or batch, or train fewer parameters (LoRA rank, or LoRA instead of "
                    + "DreamBooth)", totalBytes() / 1e9, physical / 1e9));
        }
    }
}
