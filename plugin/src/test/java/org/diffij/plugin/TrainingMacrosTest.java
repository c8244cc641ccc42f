package org.diffij.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import ij.Prefs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.diffij.io.SafetensorsFile;
import org.diffij.pipelines.Adapter;
import org.diffij.pipelines.GenerationRequest;
import org.diffij.pipelines.GenerationResult;
import org.diffij.pipelines.Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training macros of {@code macros/}, run headless through ImageJ's macro interpreter on the tiny SD 1.5 model. */
class TrainingMacrosTest {

    @TempDir
    Path models;

    @Test
    void aLoraTrainedFromTheOpenStackLandsInTheModelFolderWithItsProvenanceAndChangesGeneration() throws Exception {
        String model = HeadlessImageJ.model("tiny-sd15");
        Prefs.set("diffij.last.model", model);
        Prefs.set("diffij.models", models.toString());
        HeadlessImageJ.MacroRun run = HeadlessImageJ.runMacro("train_lora_stack.ijm", null);
        Path lora = models.resolve("stack-lora.safetensors");
        assertTrue(Files.isRegularFile(lora), run.log());
        Map<String, String> metadata;
        try (SafetensorsFile file = SafetensorsFile.open(lora)) {
            metadata = file.metadata();
            assertFalse(file.names().isEmpty());
        }
        assertEquals("2", metadata.get("ss_network_dim"), metadata.toString());
        String request = metadata.get("diffij.training_request");
        assertTrue(request != null && request.contains("data=stack:concept") && request.contains("steps=3"),
                String.valueOf(request));
        JsonArray samples = JsonParser.parseString(metadata.get("diffij.samples")).getAsJsonArray();
        assertEquals(3, samples.size());
        assertEquals("a sks square, view 2", samples.get(1).getAsJsonObject().get("caption").getAsString());
        assertEquals(64, samples.get(0).getAsJsonObject().get("sha256").getAsString().length());

        GenerationRequest plain = GenerationRequest.of(model, "a sks square").withSampling("Euler", 3, 7).withSeed(5)
                .withSize(64, 64, 1);
        Generator generator = new Generator(Generator.inFolders(List.of(models)), null, "test");
        GenerationResult without = generator.submit(plain, source -> null, null).await();
        GenerationResult with = generator.submit(plain.withAdapters(List.of(new Adapter(Adapter.Kind.LORA,
                "stack-lora", 1))), source -> null, null).await();
        assertFalse(Arrays.equals(without.images().get(0).rgb(), with.images().get(0).rgb()),
                "the LoRA, named as in the model folder, changes the image");
    }

    @Test
    void anEmbeddingTrainedFromRoiCropsRecordsEachCropAndIsCalledByItsName() throws Exception {
        String model = HeadlessImageJ.model("tiny-sd15");
        Prefs.set("diffij.last.model", model);
        Prefs.set("diffij.models", models.toString());
        HeadlessImageJ.MacroRun run = HeadlessImageJ.runMacro("train_ti_rois.ijm", null);
        Path embedding = models.resolve("my-ring.safetensors");
        assertTrue(Files.isRegularFile(embedding), run.log());
        Map<String, String> metadata;
        try (SafetensorsFile file = SafetensorsFile.open(embedding)) {
            metadata = file.metadata();
        }
        JsonArray samples = JsonParser.parseString(metadata.get("diffij.samples")).getAsJsonArray();
        assertEquals(2, samples.size());
        assertEquals("a photo of <my-ring>, right", samples.get(1).getAsJsonObject().get("caption").getAsString());
        assertTrue(samples.get(1).getAsJsonObject().get("geometry").getAsString().contains("64"),
                samples.get(1).toString());

        GenerationRequest plain = GenerationRequest.of(model, "a photo of circle").withSampling("Euler", 3, 7)
                .withSeed(5).withSize(64, 64, 1);
        Generator generator = new Generator(Generator.inFolders(List.of(models)), null, "test")
                .withEmbeddingFolders(List.of(models));
        GenerationResult without = generator.submit(plain, source -> null, null).await();
        GenerationResult with = generator.submit(plain.withPrompt("a photo of my-ring"), source -> null, null).await();
        assertFalse(Arrays.equals(without.images().get(0).rgb(), with.images().get(0).rgb()));
        assertTrue(with.notes().stream().anyMatch(n -> n.contains("my-ring")), with.notes().toString());
    }
}
