package org.diffij.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.diffij.DiffijException;
import org.diffij.io.Json;
import org.diffij.pipelines.GenerationRequest;
import org.diffij.pipelines.GenerationResult;
import org.diffij.pipelines.Generator;
import org.diffij.text.ClipTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo model's pipeline end to end at toy length (the real run is `diffij demo train`). */
class DemoTrainingTest {

    @TempDir
    Path dir;

    @Test
    void aShortRunWritesADiffusersFolderThatGeneratesAndLeavesNoWorkBehind() throws Exception {
        Path out = dir.resolve("demo");
        List<String> log = new ArrayList<>();
        DemoTraining.train(out, new DemoTraining.Settings(3, 16, 3, 2, 1e-3, 1e-3, 2, 4, 1e-4), "test", log::add);
        for (String part : List.of("model_index.json", "scheduler/scheduler_config.json", "tokenizer/vocab.json",
                "tokenizer/merges.txt", "text_encoder/model.safetensors", "vae/diffusion_pytorch_model.safetensors",
                "unet/diffusion_pytorch_model.safetensors")) {
            assertTrue(Files.isRegularFile(out.resolve(part)), part);
        }
        double scaling = Json.readObject(out.resolve("vae/config.json")).get("scaling_factor").getAsDouble();
        assertTrue(scaling > 0 && scaling != 1.0, "the scaling factor is measured from the latents: " + scaling);
        assertTrue(log.stream().anyMatch(l -> l.startsWith("VAE step 3/3")), log.toString());
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(out), left.toList(), "the base folder and data set are removed");
        }

        int[] ids = ClipTokenizer.load(out.resolve("tokenizer")).tokenize("a red circle on a white background");
        assertEquals(7, ids.length, "every word of a caption is one token");

        GenerationRequest request = GenerationRequest.of(out.toString(), "a red circle on a white background")
                .withSampling("DPM++ 2M Karras", 3, 7).withSeed(1).withSize(64, 64, 1);
        Generator generator = new Generator(Generator.byPath(), null, "test");
        GenerationResult red = generator.submit(request, source -> null, null).await();
        GenerationResult blue = generator.submit(request.withPrompt("a blue square on a black background"),
                source -> null, null).await();
        assertEquals(64, red.images().get(0).width());
        assertNotEquals(java.util.Arrays.hashCode(red.images().get(0).rgb()),
                java.util.Arrays.hashCode(blue.images().get(0).rgb()), "the caption conditions the image");

        DiffijException again = assertThrows(DiffijException.class, () -> DemoTraining.train(out,
                DemoTraining.Settings.DEFAULTS, "test", log::add));
        assertTrue(again.getMessage().contains("already exists"), again.getMessage());
        assertFalse(Files.exists(dir.resolve(".demo.training")));
    }
}
