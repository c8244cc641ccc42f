package org.diffij.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.diffij.image.PngFiles;
import org.diffij.image.RgbImage;
import org.diffij.io.SafetensorsFile;
import org.diffij.parity.Golden;
import org.diffij.training.TrainingRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {

    @TempDir
    Path dir;

    @Test
    void helpDocumentsEveryOptionOfTheRequest() {
        for (TrainingRequest.Method method : new TrainingRequest.Method[] {TrainingRequest.Method.LORA,
                TrainingRequest.Method.TI, TrainingRequest.Method.DREAMBOOTH}) {
            CliRun run = CliRun.of("train", method.key(), "--help");
            assertEquals(0, run.exitCode(), run.err());
            for (String key : TrainingRequest.defaults(method, "-", "-", "").toOptions().keySet()) {
                if (!key.equals("method")) {
                    assertTrue(run.out().contains("--" + key.replace('_', '-')), key + " in\n" + run.out());
                    assertTrue(!TrainingRequest.help(key).isEmpty(), "help for " + key);
                }
            }
            assertTrue(run.out().contains("--resume"));
        }
    }

    @Test
    void badInputExitsTwoWithOneLine() {
        CliRun unknown = CliRun.of("train", "lora", "--model", "m", "--data", "d", "--output", "o", "--rnak", "8");
        assertEquals(2, unknown.exitCode());
        CliRun badValue = CliRun.of("train", "lora", "--model", dir.toString(), "--data", dir.toString(), "--output",
                dir.resolve("x.safetensors").toString(), "--rank", "zero");
        assertEquals(2, badValue.exitCode());
        assertTrue(badValue.err().contains("rank must be a whole number"), badValue.err());
        assertEquals(1, badValue.err().strip().lines().count(), badValue.err());
    }

    @Test
    void trainsALoraFromTheCommandLine() throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        float[] rgb = new float[64 * 64 * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (i % 7) / 7f;
        }
        PngFiles.write(data.resolve("a.png"), new RgbImage(64, 64, rgb), Map.of());
        Path out = dir.resolve("cli-lora.safetensors");
        CliRun run = CliRun.of("train", "lora", "--model", Golden.manifest().modelPath("tiny-sd15").toString(),
                "--data", data.toString(), "--output", out.toString(), "--steps", "2", "--resolution", "64",
                "--formats", "diffusers", "--rank", "2");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("step 2/2"), run.out());
        assertTrue(run.out().contains("wrote " + out), run.out());
        try (SafetensorsFile file = SafetensorsFile.open(out)) {
            assertTrue(file.metadata().get("diffij.training_request").contains("rank=2"));
        }
    }
}
