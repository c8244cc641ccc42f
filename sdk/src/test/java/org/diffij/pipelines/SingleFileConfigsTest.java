package org.diffij.pipelines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.diffij.DiffijException;
import org.diffij.hub.HubCaches;
import org.diffij.hub.HubSettings;
import org.diffij.hub.SingleFileConfigs;
import org.diffij.io.HostTensor;
import org.diffij.io.SafetensorsWriter;
import org.diffij.parity.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A single-file checkpoint with nothing else: configs and tokenizer from the hub repo diffusers uses for them. */
class SingleFileConfigsTest {

    private static final String COMMIT = "1d0c4ebf6ff58a5caecab40fa1406526bca4b5b9";

    @TempDir
    Path dir;

    private static final ImageSources NO_IMAGES = source -> {
        throw new DiffijException("no image " + source);
    };

    private GenerationResult generate(Path checkpoint, Path config, HubSettings hub) {
        return new Generator(Generator.inFolders(java.util.List.of(), hub), config, hub, "test")
                .submit(GenerationRequest.of(checkpoint.toString(), "a photo of a cat").withNegativePrompt("blurry")
                        .withSampling("DDIM", 3, 7).withSeed(42).withSize(64, 64, 1), NO_IMAGES, null).await();
    }

    @Test
    void theGoldenCheckpointGeneratesWithoutConfigWhatItGeneratesWithIt() throws IOException {
        Path folder = Golden.manifest().modelPath("tiny-sd15");
        Path checkpoint = Golden.manifest().modelPath("tiny-sd15-single-file");
        HubSettings hub = HubSettings.of(Map.of("HF_HUB_CACHE", dir.resolve("cache").toString(), "HF_HUB_OFFLINE", "1"),
                dir.resolve("home"));
        assertEquals(SingleFileConfigs.Architecture.SD1, SingleFileConfigs.detect(checkpoint));

        DiffijException none = assertThrows(DiffijException.class, () -> generate(checkpoint, null, hub));
        // The tiny checkpoint is narrower than SD 1.5, so Diffij's built-in configs do not serve it.
        assertTrue(none.getMessage().contains("single-file SD 1.x checkpoint of other sizes than Diffij's built-in "
                + "configs (its UNet is 32 channels wide where SD 1.x has 320), so its configs and tokenizer come from "
                + "stable-diffusion-v1-5/stable-diffusion-v1-5") && none.getMessage().contains("HF_HUB_OFFLINE=1")
                && none.getMessage().contains("diffij models pull stable-diffusion-v1-5/stable-diffusion-v1-5"),
                none.getMessage());
        assertEquals(1, none.getMessage().lines().count());

        // What a config-only pull of the repo leaves in the cache: no weights, only configs and the tokenizer.
        HubCaches.write(hub.cache(), "stable-diffusion-v1-5/stable-diffusion-v1-5", folder, COMMIT,
                file -> !file.toString().endsWith(".safetensors"));
        assertEquals(hub.cache().resolve("models--stable-diffusion-v1-5--stable-diffusion-v1-5/snapshots").resolve(COMMIT),
                SingleFileConfigs.configFolder(checkpoint, hub));
        float[] withConfig = generate(checkpoint, folder, hub).images().get(0).rgb();
        float[] fromCache = generate(checkpoint, null, hub).images().get(0).rgb();
        assertArrayEquals(withConfig, fromCache);
    }

    @Test
    void architecturesAndInpaintingVariantsAreToldApartByKeysAndInputChannels() {
        assertEquals(SingleFileConfigs.Architecture.SD1, architecture(4, "cond_stage_model.transformer.x"));
        assertEquals(SingleFileConfigs.Architecture.SD1_INPAINTING, architecture(9, "cond_stage_model.transformer.x"));
        assertEquals(SingleFileConfigs.Architecture.SD2, architecture(4, "cond_stage_model.model.x"));
        assertEquals(SingleFileConfigs.Architecture.SD2_INPAINTING, architecture(9, "cond_stage_model.model.x"));
        assertEquals(SingleFileConfigs.Architecture.SDXL, architecture(4, "conditioner.embedders.0.x"));
        assertEquals(SingleFileConfigs.Architecture.SDXL_INPAINTING, architecture(9, "conditioner.embedders.0.x"));
        // SD 2.x: v at 768 unless the checkpoint's own records say it is a base (ε, 512) model.
        assertEquals(SingleFileConfigs.Architecture.SD2_BASE, architecture(4, "cond_stage_model.model.x",
                Map.of("modelspec.prediction_type", "epsilon")));
        assertEquals(SingleFileConfigs.Architecture.SD2, architecture(4, "cond_stage_model.model.x",
                Map.of("modelspec.prediction_type", "v", "modelspec.architecture", "stable-diffusion-v2-512")));
        assertEquals(SingleFileConfigs.Architecture.SD2_BASE, architecture(4, "cond_stage_model.model.x",
                Map.of("modelspec.architecture", "stable-diffusion-v2-512")));
        assertEquals(SingleFileConfigs.Architecture.SD2, architecture(4, "cond_stage_model.model.x",
                Map.of("modelspec.architecture", "stable-diffusion-v2-768-v")));
        assertEquals(SingleFileConfigs.Architecture.SD2_INPAINTING, architecture(9, "cond_stage_model.model.x",
                Map.of("modelspec.prediction_type", "epsilon")));
        for (long step : new long[] {875000, 110000}) {
            Path ckpt = dir.resolve("sd2-" + step + ".ckpt");
            Map<String, Object> root = new java.util.LinkedHashMap<>();
            root.put("global_step", step);
            root.put("state_dict", Map.of("model.diffusion_model.input_blocks.0.0.weight",
                    HostTensor.ofFloats(new float[8], 2, 4, 1, 1), "cond_stage_model.model.x",
                    HostTensor.ofFloats(new float[1], 1)));
            org.diffij.io.pickle.TorchPickleWriter.write(ckpt, root);
            assertEquals(step == 875000 ? SingleFileConfigs.Architecture.SD2_BASE : SingleFileConfigs.Architecture.SD2,
                    SingleFileConfigs.detect(ckpt), "global_step " + step + ", diffusers' rule");
        }
        Path lora = dir.resolve("lora.safetensors");
        SafetensorsWriter.write(lora, Map.of("lora_unet_x.lora_down.weight", HostTensor.ofFloats(new float[1], 1)),
                Map.of());
        DiffijException notACheckpoint = assertThrows(DiffijException.class, () -> SingleFileConfigs.detect(lora));
        assertTrue(notACheckpoint.getMessage().contains("not a single-file Stable Diffusion checkpoint"),
                notACheckpoint.getMessage());
    }

    private SingleFileConfigs.Architecture architecture(int inputChannels, String textKey) {
        return architecture(inputChannels, textKey, Map.of());
    }

    private SingleFileConfigs.Architecture architecture(int inputChannels, String textKey, Map<String, String> metadata) {
        Path file = dir.resolve(inputChannels + textKey + metadata.hashCode() + ".safetensors");
        SafetensorsWriter.write(file, Map.of("model.diffusion_model.input_blocks.0.0.weight",
                HostTensor.ofFloats(new float[2 * inputChannels], 2, inputChannels, 1, 1),
                textKey, HostTensor.ofFloats(new float[1], 1)), metadata);
        return SingleFileConfigs.detect(file);
    }
}
