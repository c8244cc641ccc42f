package org.diffij.pipelines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diffij.DiffijException;
import org.diffij.hub.BuiltInConfigs;
import org.diffij.hub.ClipVocabularies;
import org.diffij.hub.ClipVocabulary;
import org.diffij.hub.FakeHub;
import org.diffij.hub.HubCaches;
import org.diffij.hub.HubSettings;
import org.diffij.hub.SingleFileConfigs;
import org.diffij.hub.SingleFileConfigs.Architecture;
import org.diffij.io.HostTensor;
import org.diffij.io.ModelFolder;
import org.diffij.io.SafetensorsWriter;
import org.diffij.models.clip.ClipTextConfig;
import org.diffij.models.unet.UNet2DConditionConfig;
import org.diffij.models.vae.AutoencoderKLConfig;
import org.diffij.schedulers.PredictionType;
import org.diffij.schedulers.Samplers;
import org.diffij.text.ClipTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Diffij's own configs for single-file checkpoints, with a CLIP vocabulary from the hub cache or pulled once. */
class BuiltInConfigsTest {

    private static final String COMMIT = "89abcdef0123456789abcdef0123456789abcdef";

    @TempDir
    Path dir;

    private HubSettings offline() {
        return HubSettings.of(Map.of("HF_HUB_CACHE", dir.resolve("cache").toString(), "HF_HUB_OFFLINE", "1"),
                dir.resolve("user"));
    }

    /** A vocabulary of that size cached as the repo (its root, or the subfolder a path names). */
    private void cacheVocabulary(String repo, String subfolder, int size) throws IOException {
        Path root = dir.resolve("vocabularies").resolve(repo.replace('/', '-') + "-" + size);
        ClipVocabularies.write(subfolder.isEmpty() ? root : root.resolve(subfolder), size);
        HubCaches.write(dir.resolve("cache"), repo, root, COMMIT, p -> true);
    }

    /**
     * The header-sized part of a checkpoint of the public model's sizes: the UNet's first convolution and
     * one cross-attention key, the text encoder's and optionally the VAE's keys.
     */
    private Path checkpoint(String name, int width, int inputChannels, int context, String textKey, boolean vae) {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        tensors.put("model.diffusion_model.input_blocks.0.0.weight",
                HostTensor.ofFloats(new float[width * inputChannels * 9], width, inputChannels, 3, 3));
        tensors.put("model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight",
                HostTensor.ofFloats(new float[width * context], width, context));
        tensors.put(textKey, HostTensor.ofFloats(new float[1], 1));
        if (vae) {
            tensors.put("first_stage_model.decoder.conv_in.bias", HostTensor.ofFloats(new float[1], 1));
        }
        Path file = dir.resolve(name + ".safetensors");
        SafetensorsWriter.write(file, tensors, Map.of());
        return file;
    }

    private Path sd15Shaped() {
        return checkpoint("sd15", 320, 4, 768, "cond_stage_model.transformer.text_model.final_layer_norm.weight", false);
    }

    @Test
    void everyBuiltInConfigParsesAndOpensAsAPipelineWithTheCachedVocabulary() throws IOException {
        Path vocabulary = ClipVocabularies.write(dir.resolve("vocabulary"), ClipVocabulary.SIZE);
        for (Architecture architecture : Architecture.values()) {
            Path folder = BuiltInConfigs.installed(architecture, vocabulary, dir.resolve("home"));
            assertTrue(folder.startsWith(dir.resolve("home").resolve("configs")), folder.toString());
            assertTrue(folder.getFileName().toString().startsWith(architecture.configId() + "-"), folder.toString());
            ModelFolder model = StableDiffusionModel.pipelineFolder(folder);
            boolean xl = architecture.isXl();
            boolean sd2 = architecture.isSd2();
            boolean inpainting = architecture.name().endsWith("INPAINTING");

            UNet2DConditionConfig unet = UNet2DConditionConfig.from(model.component("unet").config(), folder + "/unet");
            assertEquals(inpainting ? 9 : 4, unet.inChannels(), architecture.label());
            assertEquals(xl ? 2048 : sd2 ? 1024 : 768, unet.crossAttentionDim()[0], architecture.label());
            assertEquals(xl ? "text_time" : null, unet.additionEmbedType(), architecture.label());
            AutoencoderKLConfig vae = AutoencoderKLConfig.from(model.component("vae").config(), folder + "/vae");
            assertEquals(xl ? 0.13025f : 0.18215f, vae.scalingFactor(), architecture.label());

            ClipTextConfig text = ClipTextConfig.read(folder.resolve("text_encoder/config.json"));
            assertEquals(sd2 ? 1024 : 768, text.hiddenSize(), architecture.label());
            assertEquals(sd2 ? 23 : 12, text.numHiddenLayers(), architecture.label());
            assertEquals(xl, model.components().containsKey("text_encoder_2"), architecture.label());
            if (xl) {
                ClipTextConfig text2 = ClipTextConfig.read(folder.resolve("text_encoder_2/config.json"));
                assertTrue(text2.withProjection());
                assertEquals(1280, text2.hiddenSize());
            }

            JsonObject scheduler = model.component("scheduler").config();
            PredictionType prediction = Samplers.create(scheduler.get("_class_name").getAsString(), scheduler).config()
                    .predictionType();
            assertEquals(architecture == Architecture.SD2 ? PredictionType.V_PREDICTION : PredictionType.EPSILON,
                    prediction, architecture.label());

            // SD 2.x's OpenCLIP and SDXL's second tokenizer pad with "!" (id 0), CLIP ViT-L with <|endoftext|>.
            ClipTokenizer tokenizer = ClipTokenizer.load(folder.resolve("tokenizer"));
            assertEquals(ClipVocabulary.SIZE, tokenizer.vocabularySize());
            assertEquals(sd2 ? 0 : tokenizer.endId(), tokenizer.padId(), architecture.label());
            assertEquals(77, tokenizer.maxLength());
            if (xl) {
                assertEquals(0, ClipTokenizer.load(folder.resolve("tokenizer_2")).padId());
            }
            assertArrayEquals(new int[] {tokenizer.startId(), 320, tokenizer.endId()},
                    tokenizer.encode("a"), architecture.label());
        }
    }

    @Test
    void offlineWithoutAVocabularyOneLineSaysWhatToPull() {
        Path checkpoint = sd15Shaped();
        DiffijException missing = assertThrows(DiffijException.class,
                () -> SingleFileConfigs.configFolder(checkpoint, offline(), dir.resolve("home")));
        assertTrue(missing.getMessage().contains(ClipVocabulary.PULL_COMMAND)
                && missing.getMessage().contains("HF_HUB_OFFLINE=1") && missing.getMessage().contains("sd15.safetensors"),
                missing.getMessage());
        assertEquals(1, missing.getMessage().lines().count());
        assertFalse(Files.exists(dir.resolve("home").resolve("configs")), "nothing is installed without a vocabulary");
    }

    @Test
    void aCachedVocabularyOfAnotherSizeIsPassedOverForOneOfClipsSize() throws IOException {
        Path checkpoint = sd15Shaped();
        cacheVocabulary(ClipVocabulary.PULLED, "", 577);
        assertThrows(DiffijException.class, () -> SingleFileConfigs.configFolder(checkpoint, offline(),
                dir.resolve("home")), "a 577-token vocabulary is no CLIP vocabulary");
        cacheVocabulary("stabilityai/stable-diffusion-xl-base-1.0", "tokenizer_2", ClipVocabulary.SIZE);
        Path folder = SingleFileConfigs.configFolder(checkpoint, offline(), dir.resolve("home"));
        assertEquals(ClipVocabulary.SIZE, ClipTokenizer.load(folder.resolve("tokenizer")).vocabularySize());
        assertEquals(folder, SingleFileConfigs.configFolder(checkpoint, offline(), dir.resolve("home")),
                "installed once, then reused");
    }

    @Test
    void onlineTheVocabularyIsPulledOnceWithItsTwoFilesOnly() throws IOException {
        Path served = ClipVocabularies.write(dir.resolve("served"), ClipVocabulary.SIZE);
        Files.writeString(served.resolve("config.json"), "{\"projection_dim\": 768}");
        Files.write(served.resolve("model.safetensors"), new byte[64]);
        Path checkpoint = checkpoint("xl", 320, 4, 2048, "conditioner.embedders.1.model.ln_final.weight", true);
        try (FakeHub hub = new FakeHub().serve(ClipVocabulary.PULLED, served, COMMIT, false)) {
            HubSettings online = HubSettings.of(Map.of("HF_HUB_CACHE", dir.resolve("cache").toString(),
                    "HF_ENDPOINT", hub.endpoint()), dir.resolve("user"));
            Path folder = SingleFileConfigs.configFolder(checkpoint, online, dir.resolve("home"));
            assertTrue(folder.getFileName().toString().startsWith("sdxl-"), folder.toString());
            assertEquals(0, ClipTokenizer.load(folder.resolve("tokenizer_2")).padId());
            List<String> fetched = hub.requests().stream().filter(r -> r.method().equals("GET"))
                    .map(FakeHub.Request::path).filter(p -> p.contains("/resolve/")).toList();
            assertEquals(2, fetched.size(), fetched.toString());
            assertTrue(fetched.stream().allMatch(p -> p.endsWith("/vocab.json") || p.endsWith("/merges.txt")),
                    fetched.toString());

            int requests = hub.requests().size();
            assertEquals(folder, SingleFileConfigs.configFolder(checkpoint, online, dir.resolve("home")));
            assertEquals(requests, hub.requests().size(), "the cached vocabulary is not asked for again");
        }
    }

    @Test
    void aFailedPullOfTheVocabularySaysWhatItWasForAndWhatToRun() throws IOException {
        Path checkpoint = sd15Shaped();
        try (FakeHub hub = new FakeHub()) {
            HubSettings online = HubSettings.of(Map.of("HF_HUB_CACHE", dir.resolve("cache").toString(),
                    "HF_ENDPOINT", hub.endpoint()), dir.resolve("user"));
            DiffijException failed = assertThrows(DiffijException.class,
                    () -> SingleFileConfigs.configFolder(checkpoint, online, dir.resolve("home")));
            assertTrue(failed.getMessage().startsWith("sd15.safetensors (a single-file SD 1.x checkpoint, configs "
                    + "built into Diffij) needs the CLIP vocabulary") && failed.getMessage().contains("pulling it failed")
                    && failed.getMessage().contains(ClipVocabulary.PULL_COMMAND), failed.getMessage());
            assertEquals(1, failed.getMessage().lines().count());
        }
    }

    @Test
    void aCheckpointOfOtherSizesIsRefusedTheBuiltInConfigsWithTheRepoToPull() throws IOException {
        Path narrow = checkpoint("narrow", 32, 4, 768, "cond_stage_model.transformer.text_model.x", false);
        cacheVocabulary(ClipVocabulary.PULLED, "", ClipVocabulary.SIZE);
        DiffijException refused = assertThrows(DiffijException.class,
                () -> SingleFileConfigs.configFolder(narrow, offline(), dir.resolve("home")));
        assertTrue(refused.getMessage().contains("UNet is 32 channels wide where SD 1.x has 320")
                && refused.getMessage().contains("diffij models pull stable-diffusion-v1-5/stable-diffusion-v1-5"),
                refused.getMessage());
        Path otherContext = checkpoint("context", 320, 4, 1024, "cond_stage_model.transformer.text_model.x", false);
        assertTrue(SingleFileConfigs.builtInMismatch(otherContext, Architecture.SD1).orElseThrow()
                .contains("text conditioning is 1024 wide where SD 1.x has 768"));
    }
}
