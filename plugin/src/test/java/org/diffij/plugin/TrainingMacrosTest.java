package org.diffij.plugin;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.Prefs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.diffij.io.SafetensorsFile;
import org.diffij.pipelines.GenerationRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training macros of {@code macros/}, headless through ImageJ's macro interpreter on tiny SD 1.5. */
class TrainingMacrosTest {

    @TempDir
    Path models;

    @BeforeEach
    void settings() {
        Prefs.set("diffij.last.model", HeadlessImageJ.model("tiny-sd15"));
        Prefs.set(DiffusionSettings.PREFIX + "models", models.toString());
    }

    @Test
    void loraFromTheStackLandsInTheModelFolderWithProvenanceAndChangesGeneration() {
        HeadlessImageJ.MacroRun run = HeadlessImageJ.runMacro("train_lora_stack.ijm", null);
        Path lora = models.resolve("cells-lora.safetensors");
        assertTrue(Files.isRegularFile(lora), run.log());
        assertTrue(run.log().contains("2 samples"), run.log());
        assertTrue(run.log().contains("a micrograph of cells, bright | a micrograph of cells, dark"), run.log());
        assertTrue(run.log().contains("adapters=[lora|cells-lora|1]"), run.log());
        try (SafetensorsFile file = SafetensorsFile.open(lora)) {
            Map<String, String> metadata = file.metadata();
            assertTrue(metadata.get("diffij.training_request").contains(" data=stack:cells "),
                    metadata.get("diffij.training_request"));
            assertTrue(metadata.containsKey("diffij.model_hash") && metadata.containsKey("ss_network_dim"));
            assertTrue(metadata.get("diffij.samples").contains("\"caption\":\"a micrograph of cells, dark\""),
                    metadata.get("diffij.samples"));
        }
        ImagePlus plot = run.image();
        assertNotNull(plot, run.log());
        assertTrue(plot.getTitle().startsWith("Training loss - cells-lora"), plot.getTitle());
        Operations operations = new Operations(DiffusionSettings.load());
        GenerationRequest plain = GenerationRequest.fromMacroOptions("model=[" + HeadlessImageJ.model("tiny-sd15")
                + "] prompt=[a micrograph of cells] steps=3 seed=1 width=64 height=64");
        int[] without = (int[]) operations.generate("t", plain, null).getProcessor().getPixels();
        int[] with = (int[]) operations.generate("t", plain.withAdapters(RequestFields.adapters("lora|cells-lora|1")),
                null).getProcessor().getPixels();
        assertFalse(Arrays.equals(without, with), "generation with the trained LoRA differs");
    }
}
