package org.diffij.models.ipadapter;

import org.diffij.models.clip.ClipVisionModelWithProjection;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.diffij.DiffijException;
import org.diffij.engine.DiffijEngine;
import org.diffij.engine.JobContext;
import org.diffij.image.RgbImage;
import org.diffij.io.HostTensor;
import org.diffij.noise.TorchCpuNoise;
import org.diffij.parity.Golden;
import org.diffij.pipelines.Adapters;
import org.diffij.pipelines.StableDiffusionModel;
import org.diffij.pipelines.MemorySettings;
import org.diffij.pipelines.StableDiffusionPipeline;
import org.diffij.schedulers.Samplers;
import org.junit.jupiter.api.Test;

/**
 * Image prompts in the pipeline beyond the golden case (which diffusers only runs for one prompt):
 * every prompt of a batch gets the image, and the image changes the result.
 */
class ImagePromptTest {

    private static final int SIZE = 64;
    private static final int STEPS = 3;

    private static Path adapterFile() {
        return Golden.manifest().modelPath("tiny-ip-adapter-sd15").resolve("models/ip-adapter_sd15.safetensors");
    }

    @Test
    void everyPromptOfABatchGetsTheImagePrompt() {
        Path sd15 = Golden.manifest().modelPath("tiny-sd15");
        Random random = new Random(7);
        float[] latents = new float[4 * 32 * 32];
        for (int i = 0; i < latents.length; i++) {
            latents[i] = (float) random.nextGaussian();
        }
        float[] twice = new float[2 * latents.length];
        System.arraycopy(latents, 0, twice, 0, latents.length);
        System.arraycopy(latents, 0, twice, latents.length, latents.length);
        float[][] results = DiffijEngine.get().queue().run("image prompt batch", job -> {
            DataType type = job.engine().computeType();
            StableDiffusionModel model = StableDiffusionModel.load(sd15, job.manager(), type);
            ImagePrompt prompt = new ImagePrompt(IpAdapter.load(adapterFile(), job.manager(), type),
                    ClipVisionModelWithProjection.load(IpAdapter.imageEncoderFolder(adapterFile()), job.manager(),
                            type), gradient(48, 40), 0.8f);
            return new float[][] {
                generate(job, model, HostTensor.ofFloats(latents, 1, 4, 32, 32), prompt),
                generate(job, model, HostTensor.ofFloats(twice, 2, 4, 32, 32), prompt),
                generate(job, model, HostTensor.ofFloats(latents, 1, 4, 32, 32), null)};
        });
        float[] single = results[0];
        float[] batch = results[1];
        float worst = 0;
        for (int row = 0; row < 2; row++) {
            for (int i = 0; i < single.length; i++) {
                worst = Math.max(worst, Math.abs(batch[row * single.length + i] - single[i]));
            }
        }
        assertTrue(worst < 1e-3, "a batch row differs from the single run by " + worst);
        float change = 0;
        for (int i = 0; i < single.length; i++) {
            change = Math.max(change, Math.abs(results[2][i] - single[i]));
        }
        assertTrue(change > 1e-2, "the image prompt changes the latents by only " + change);
    }

    @Test
    void aScaleThatIsNotANumberIsRejected() {
        DiffijException e = assertThrows(DiffijException.class, () -> DiffijEngine.get().queue().run("nan scale",
                job -> {
                    DataType type = job.engine().computeType();
                    IpAdapter adapter = IpAdapter.load(adapterFile(), job.manager(), type);
                    ClipVisionModelWithProjection encoder = ClipVisionModelWithProjection.load(
                            IpAdapter.imageEncoderFolder(adapterFile()), job.manager(), type);
                    return new ImagePrompt(adapter, encoder, gradient(8, 8), Float.NaN);
                }));
        assertTrue(e.getMessage().contains("scale"), e.getMessage());
    }

    private static float[] generate(JobContext job, StableDiffusionModel model, HostTensor latents,
            ImagePrompt prompt) {
        int batch = (int) latents.shape()[0];
        StableDiffusionPipeline.Inputs inputs = new StableDiffusionPipeline.Inputs(
                StableDiffusionPipeline.parse(Collections.nCopies(batch, "a photo of a cat"), STEPS),
                StableDiffusionPipeline.parse(Collections.nCopies(batch, "blurry"), STEPS), SIZE, SIZE,
                STEPS, 7.5, Samplers.create("DDIM", model.schedulerConfig()), new TorchCpuNoise(1), 0, latents, null,
                null, 1.0, List.of(), Adapters.none(), prompt);
        return StableDiffusionPipeline.run(job, model, inputs, MemorySettings.fromEnvironment(), null).finalLatents().toFloatArray();
    }

    /** A smooth colour ramp, not square, so that the processor resizes and crops it. */
    private static RgbImage gradient(int width, int height) {
        float[] rgb = new float[3 * width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = 3 * (y * width + x);
                rgb[i] = (float) x / width;
                rgb[i + 1] = (float) y / height;
                rgb[i + 2] = 0.5f;
            }
        }
        return new RgbImage(width, height, rgb);
    }
}
