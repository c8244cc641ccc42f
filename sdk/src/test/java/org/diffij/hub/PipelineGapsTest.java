package org.diffij.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.diffij.io.HostTensor;
import org.diffij.io.SafetensorsWriter;
import org.diffij.parity.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineGapsTest {

    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    private static final String SD15 = "stable-diffusion-v1-5/stable-diffusion-v1-5";

    @TempDir
    Path dir;

    private HubSettings hub() {
        return HubSettings.of(Map.of("HF_HUB_CACHE", dir.resolve("cache").toString(), "HF_HUB_OFFLINE", "1"),
                dir.resolve("home"));
    }

    /** A copy of the golden tiny SD 1.5 folder with the files {@code keep} accepts (by relative path). */
    private Path copy(String name, Predicate<String> keep) throws IOException {
        Path golden = Golden.manifest().modelPath("tiny-sd15");
        Path target = dir.resolve(name);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(golden)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        for (Path file : files) {
            String relative = golden.relativize(file).toString().replace('\\', '/');
            if (keep.test(relative)) {
                Path copied = target.resolve(relative);
                Files.createDirectories(copied.getParent());
                Files.copy(file, copied);
            }
        }
        return target;
    }

    @Test
    void aDiffusersFolderSaysWhichComponentsFilesAndWeightsItLacks() throws IOException {
        assertEquals(PipelineGaps.COMPLETE, PipelineGaps.describe(copy("complete", f -> true), hub()));
        assertEquals("no tokenizer/", PipelineGaps.describe(copy("no-tokenizer", f -> !f.startsWith("tokenizer/")),
                hub()));
        assertEquals("tokenizer/ lacks merges.txt", PipelineGaps.describe(copy("no-merges",
                f -> !f.equals("tokenizer/merges.txt")), hub()));
        assertEquals("vae weights missing", PipelineGaps.describe(copy("no-vae-weights",
                f -> !f.startsWith("vae/") || f.endsWith(".json")), hub()));
        Path twoGaps = copy("two-gaps", f -> !f.startsWith("scheduler/") && !f.equals("text_encoder/model.safetensors"));
        assertEquals("no scheduler/; text_encoder weights missing", PipelineGaps.describe(twoGaps, hub()));
        Files.createDirectories(twoGaps.resolve("scheduler"));
        assertEquals("no scheduler/scheduler_config.json; text_encoder weights missing",
                PipelineGaps.describe(twoGaps, hub()));
        assertEquals("unet, vae, text_encoder weights missing (configs only: usable as --config of a single-file "
                + "checkpoint)", PipelineGaps.describe(copy("configs-only",
                        f -> f.endsWith(".json") || f.endsWith(".txt")), hub()));
        assertEquals(PipelineGaps.NOT_A_PIPELINE, PipelineGaps.describe(copy("vae-folder", f -> f.startsWith("vae/"))
                .resolve("vae"), hub()), "a component folder is no pipeline");
    }

    @Test
    void aSingleFileCheckpointNeedsTheConfigsOfItsArchitectureFromTheHubCache() throws IOException {
        Path checkpoint = Golden.manifest().modelPath("tiny-sd15-single-file");
        String before = PipelineGaps.describe(checkpoint, hub());
        assertTrue(before.startsWith("needs configs: diffij models pull " + SD15 + " --include \"*.json\""), before);

        Path golden = Golden.manifest().modelPath("tiny-sd15");
        HubCaches.write(hub().cache(), SD15, golden, COMMIT, p -> p.toString().endsWith(".json")
                && !p.startsWith("tokenizer"));
        String withoutTokenizer = PipelineGaps.describe(checkpoint, hub());
        assertEquals("configs in " + new HubCache(hub().cache()).find(RepoReference.require(SD15)).orElseThrow()
                + ": no tokenizer/", withoutTokenizer);

        HubCaches.write(hub().cache(), SD15, golden, COMMIT, p -> p.startsWith("tokenizer"));
        assertEquals(PipelineGaps.COMPLETE, PipelineGaps.describe(checkpoint, hub()),
                "a config-only pull completes a single file");

        Path lora = golden.resolveSibling("lora");
        try (Stream<Path> files = Files.list(lora)) {
            Path anyLora = files.filter(f -> f.toString().endsWith(".safetensors")).findFirst().orElseThrow();
            assertEquals(PipelineGaps.NOT_A_PIPELINE, PipelineGaps.describe(anyLora, hub()));
        }
    }

    @Test
    void aSingleFileOfThePublicSizesLacksOnlyTheVocabularyOfItsBuiltInConfigs() throws IOException {
        Path checkpoint = dir.resolve("sd15-sized.safetensors");
        SafetensorsWriter.write(checkpoint, Map.of(
                "model.diffusion_model.input_blocks.0.0.weight", HostTensor.ofFloats(new float[320 * 4 * 9], 320, 4, 3, 3),
                "model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight",
                HostTensor.ofFloats(new float[320 * 768], 320, 768),
                "cond_stage_model.transformer.text_model.final_layer_norm.weight", HostTensor.ofFloats(new float[1], 1),
                "first_stage_model.decoder.conv_in.bias", HostTensor.ofFloats(new float[1], 1)), Map.of());
        assertEquals("configs built in; needs the CLIP vocabulary (pulled on first use when online): "
                + ClipVocabulary.PULL_COMMAND, PipelineGaps.describe(checkpoint, hub()));

        Path vocabulary = ClipVocabularies.write(dir.resolve("clip"), ClipVocabulary.SIZE);
        HubCaches.write(hub().cache(), ClipVocabulary.PULLED, vocabulary, COMMIT, p -> true);
        assertEquals(PipelineGaps.COMPLETE, PipelineGaps.describe(checkpoint, hub()));
    }
}
