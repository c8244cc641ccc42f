package org.diffij.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.diffij.hub.FakeHub;
import org.diffij.hub.HubSettings;
import org.diffij.image.PngFiles;
import org.diffij.io.ModelHash;
import org.diffij.parity.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelsCommandTest {

    private static final String COMMIT = "5f4e3d2c1b0a99887766554433221100ffeeddcc";

    @TempDir
    Path dir;

    private HubSettings hub(String endpoint, boolean offline) {
        Map<String, String> variables = offline
                ? Map.of("HF_HUB_CACHE", dir.resolve("cache").toString(), "HF_ENDPOINT", endpoint, "HF_HUB_OFFLINE", "1")
                : Map.of("HF_HUB_CACHE", dir.resolve("cache").toString(), "HF_ENDPOINT", endpoint,
                        "HF_TOKEN", "hf_secret_token");
        return HubSettings.of(variables, dir.resolve("home"));
    }

    @Test
    void aPulledRepoInterruptedAndResumedGeneratesOfflineWhatItsFolderGenerates() throws IOException {
        Path golden = Golden.manifest().modelPath("tiny-sd15");
        byte[] unet = Files.readAllBytes(golden.resolve("unet/diffusion_pytorch_model.safetensors"));
        try (FakeHub server = new FakeHub().serve("org/tiny-sd15", golden, COMMIT, false)) {
            server.breakNextDownloadOf(FakeHub.sha256(unet));
            CliRun broken = CliRun.withHub(hub(server.endpoint(), false), "models", "pull", "org/tiny-sd15");
            assertEquals(2, broken.exitCode(), broken.out() + broken.err());
            assertTrue(broken.err().contains("interrupted") && broken.err().contains("run the same command again"),
                    broken.err());
            assertEquals(1, broken.err().strip().lines().count(), broken.err());

            CliRun pulled = CliRun.withHub(hub(server.endpoint(), false), "models", "pull", "org/tiny-sd15");
            assertEquals(0, pulled.exitCode(), pulled.err());
            assertTrue(pulled.out().contains("\r") && pulled.out().contains("MB/s"), "a progress line: " + pulled.out());
            assertTrue(pulled.out().contains("org/tiny-sd15 at " + COMMIT + ": 12 files"), pulled.out());
            assertFalse((pulled.out() + pulled.err() + broken.err()).contains("hf_secret_token"), "the token is never shown");
            assertTrue(server.requests().stream().anyMatch(r -> r.range() != null), "the second run resumed");

            int requests = server.requests().size();
            Path fromFolder = dir.resolve("folder.png");
            Path fromHub = dir.resolve("hub.png");
            String[] common = {"--prompt", "a photo of a cat", "--negative", "blurry", "--sampler", "DDIM", "--steps",
                "3", "--seed", "42", "--width", "64", "--height", "64"};
            CliRun folderRun = CliRun.withHub(hub(server.endpoint(), true), concat(new String[] {"generate",
                "--model", golden.toString(), "--out", fromFolder.toString()}, common));
            assertEquals(0, folderRun.exitCode(), folderRun.err());
            CliRun hubRun = CliRun.withHub(hub(server.endpoint(), true), concat(new String[] {"generate",
                "--model", "org/tiny-sd15", "--out", fromHub.toString()}, common));
            assertEquals(0, hubRun.exitCode(), hubRun.err());
            assertArrayEquals(PngFiles.read(fromFolder).rgb(), PngFiles.read(fromHub).rgb());
            assertEquals(requests, server.requests().size(), "offline generation sends no request");

            CliRun list = CliRun.withHub(hub(server.endpoint(), true), "models", "list");
            assertEquals(0, list.exitCode(), list.err());
            // The pulled snapshot holds the folder's weights, so it shows the folder's hash.
            String hash = ModelHash.of(golden).substring(0, 10);
            assertTrue(list.out().lines().anyMatch(l -> l.contains("org/tiny-sd15") && l.contains("14.0 MB")
                    && l.contains(hash) && l.contains("F32")
                    && l.contains("diffusers pipeline StableDiffusionPipeline") && l.strip().endsWith("complete")),
                    list.out());
            assertTrue(list.out().lines().findFirst().orElseThrow().contains("what a pipeline would still miss"),
                    list.out());
        }
    }

    @Test
    void listShowsModelFoldersWithKindSizeHashAndDtypes() throws Exception {
        Path webui = dir.resolve("webui");
        Files.createDirectories(webui.resolve("models/Stable-diffusion"));
        Files.createDirectories(webui.resolve("models/Lora"));
        Files.copy(Golden.manifest().modelPath("tiny-sd15-single-file"),
                webui.resolve("models/Stable-diffusion/tiny.safetensors"));
        Files.writeString(webui.resolve("models/Lora/broken.safetensors"), "not a safetensors file");
        CliRun list = CliRun.withHub(hub("http://127.0.0.1:9", true), "models", "list", "--models-dir",
                webui.toString());
        assertEquals(0, list.exitCode(), list.err());
        assertTrue(list.out().contains("(empty)"), "the hub cache has nothing yet: " + list.out());
        assertTrue(list.out().contains(webui.resolve("models/Stable-diffusion") + ":"), list.out());
        // A1111's "Model hash" of a single file: the first 10 hex digits of its SHA-256, as sha256sum gives it.
        String a1111Hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(
                webui.resolve("models/Stable-diffusion/tiny.safetensors")))).substring(0, 10);
        assertTrue(list.out().lines().anyMatch(l -> l.contains("tiny.safetensors") && l.contains("7.9 MB")
                && l.contains(a1111Hash) && l.contains("single-file checkpoint, SD 1.x")
                && l.contains("needs configs: diffij models pull stable-diffusion-v1-5/stable-diffusion-v1-5")),
                list.out());
        assertTrue(list.out().lines().anyMatch(l -> l.contains("broken.safetensors")
                && l.contains("not a model Diffij reads")), list.out());
    }

    @Test
    void hubErrorsAreOneLineWithExitCodeTwo() throws IOException {
        try (FakeHub server = new FakeHub().serve("org/gated", Golden.manifest().modelPath("tiny-sd15").resolve("vae"),
                COMMIT, true)) {
            CliRun gated = CliRun.withHub(hub(server.endpoint(), false), "models", "pull", "org/gated");
            assertEquals(2, gated.exitCode());
            assertTrue(gated.err().contains("is gated: accept its licence"), gated.err());
            assertFalse(gated.err().contains("hf_secret_token"));
            assertEquals(1, gated.err().strip().lines().count(), gated.err());
            CliRun missing = CliRun.withHub(hub(server.endpoint(), false), "models", "pull", "org/none");
            assertEquals(2, missing.exitCode());
            assertTrue(missing.err().contains("not found on " + server.endpoint()), missing.err());
            CliRun notPulled = CliRun.withHub(hub(server.endpoint(), true), "generate", "--model", "org/none",
                    "--prompt", "x", "--out", dir.resolve("x.png").toString());
            assertEquals(2, notPulled.exitCode());
            assertTrue(notPulled.err().contains("HF_HUB_OFFLINE=1 is set, so when online run: diffij models pull "
                    + "org/none"), notPulled.err());
            CliRun badId = CliRun.withHub(hub(server.endpoint(), false), "models", "pull", "justaname");
            assertEquals(2, badId.exitCode());
            assertTrue(badId.err().contains("not a hub repo id"), badId.err());
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
