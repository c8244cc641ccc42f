package org.diffij.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.diffij.hub.HubCaches;
import org.diffij.hub.HubSettings;
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
        Path data = data();
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

    @Test
    void aSingleFileCheckpointTrainsWithConfigsFromTheInjectedHubCache() throws IOException {
        Path checkpoint = Golden.manifest().modelPath("tiny-sd15-single-file");
        HubSettings hub = HubSettings.of(Map.of("HF_HUB_CACHE", dir.resolve("cache").toString(), "HF_HUB_OFFLINE", "1"),
                dir.resolve("home"));
        Path data = data();
        Path out = dir.resolve("single-file-lora.safetensors");
        String[] args = {"train", "lora", "--model", checkpoint.toString(), "--data", data.toString(), "--output",
            out.toString(), "--steps", "1", "--resolution", "64", "--rank", "2"};
        CliRun empty = CliRun.withHub(hub, args);
        assertEquals(2, empty.exitCode(), empty.err());
        assertTrue(empty.err().contains("diffij models pull stable-diffusion-v1-5/stable-diffusion-v1-5")
                && empty.err().contains(hub.cache().toString()), empty.err());
        // A config-only copy of the repo diffusers takes SD 1.x configs from, in the cache of these settings only.
        HubCaches.write(hub.cache(), "stable-diffusion-v1-5/stable-diffusion-v1-5",
                Golden.manifest().modelPath("tiny-sd15"), "1d0c4ebf6ff58a5caecab40fa1406526bca4b5b9",
                file -> !file.toString().endsWith(".safetensors"));
        CliRun run = CliRun.withHub(hub, args);
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("wrote " + out), run.out());
    }

    private Path data() throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        float[] rgb = new float[64 * 64 * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (i % 7) / 7f;
        }
        PngFiles.write(data.resolve("a.png"), new RgbImage(64, 64, rgb), Map.of());
        return data;
    }
}
