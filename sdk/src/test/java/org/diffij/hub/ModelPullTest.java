package org.diffij.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.diffij.DiffijException;
import org.diffij.parity.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelPullTest {

    private static final String COMMIT = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
    private static final String UNET = "unet/diffusion_pytorch_model.safetensors";

    @TempDir
    Path dir;

    private HubSettings settings(String endpoint, String... more) {
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put("HF_HOME", dir.resolve("hf").toString());
        variables.put("HF_ENDPOINT", endpoint);
        for (int i = 0; i < more.length; i += 2) {
            variables.put(more[i], more[i + 1]);
        }
        return HubSettings.of(variables, dir.resolve("home"));
    }

    private static RepoReference tiny() {
        return RepoReference.require("org/tiny-sd15");
    }

    @Test
    void anInterruptedPullResumesWithARangeAndLandsInHuggingfaceHubsLayout() throws IOException {
        Path golden = Golden.manifest().modelPath("tiny-sd15");
        String unetSha = FakeHub.sha256(Files.readAllBytes(golden.resolve(UNET)));
        try (FakeHub hub = new FakeHub().serve("org/tiny-sd15", golden, COMMIT, false)) {
            HubSettings settings = settings(hub.endpoint());
            ModelPull pull = new ModelPull(settings);
            hub.breakNextDownloadOf(unetSha);
            DiffijException interrupted = assertThrows(DiffijException.class,
                    () -> pull.pull(tiny(), ModelPull.Options.pipeline(), null));
            assertTrue(interrupted.getMessage().contains("interrupted") && interrupted.getMessage()
                    .contains("run the same command again"), interrupted.getMessage());
            Path repo = settings.cache().resolve("models--org--tiny-sd15");
            Path partial = repo.resolve("blobs").resolve(unetSha + ".incomplete");
            long half = Files.size(golden.resolve(UNET)) / 2;
            assertEquals(half, Files.size(partial), "the bytes received before the break are kept");
            assertFalse(Files.exists(repo.resolve("refs/main")), "no ref before the snapshot is complete");

            long[] lastDone = {0};
            ModelPull.Result result = pull.pull(tiny(), ModelPull.Options.pipeline(),
                    (file, done, total, rate) -> lastDone[0] = done);
            assertTrue(hub.requests().stream().anyMatch(r -> r.method().equals("GET")
                    && r.path().equals("/cdn/" + unetSha) && ("bytes=" + half + "-").equals(r.range())),
                    hub.requests().toString());
            assertEquals(repo.resolve("snapshots").resolve(COMMIT), result.path());
            assertEquals(COMMIT, result.commit());
            assertEquals(lastDone[0], result.bytesDownloaded());
            assertFalse(Files.exists(partial));

            assertEquals(COMMIT, Files.readString(repo.resolve("refs/main"), StandardCharsets.UTF_8));
            List<Path> goldenFiles;
            try (Stream<Path> walk = Files.walk(golden)) {
                goldenFiles = walk.filter(Files::isRegularFile).toList();
            }
            assertEquals(goldenFiles.size(), result.files().size(), result.files().toString());
            for (Path file : goldenFiles) {
                String relative = golden.relativize(file).toString();
                Path link = result.path().resolve(relative);
                assertTrue(Files.isSymbolicLink(link), link + " is a symlink, as huggingface_hub makes them");
                Path target = Files.readSymbolicLink(link);
                assertFalse(target.isAbsolute(), "relative, so the cache can move: " + target);
                Path blob = link.getParent().resolve(target).normalize();
                assertEquals(repo.resolve("blobs"), blob.getParent());
                byte[] bytes = Files.readAllBytes(file);
                String name = blob.getFileName().toString();
                // LFS files are named by their SHA-256, the others by their git blob id.
                assertTrue(relative.endsWith(".safetensors") ? name.equals(FakeHub.sha256(bytes))
                        : name.matches("[0-9a-f]{40}"), relative + " -> " + name);
                assertArrayEquals(bytes, Files.readAllBytes(link));
            }

            int before = hub.requests().size();
            assertEquals(0, pull.pull(tiny(), ModelPull.Options.pipeline(), null).bytesDownloaded());
            assertTrue(hub.requests().subList(before, hub.requests().size()).stream()
                    .noneMatch(r -> r.path().startsWith("/cdn/")), "a complete cache downloads nothing again");
            assertEquals(result.path(), ModelLocator.of(List.of(), settings(hub.endpoint(), "HF_HUB_OFFLINE", "1"))
                    .apply("org/tiny-sd15"));
        }
    }

    @Test
    void aServerThatIgnoresTheRangeRestartsTheFileAndTheSha256StillHolds() throws IOException {
        Path golden = Golden.manifest().modelPath("tiny-sd15");
        byte[] unet = Files.readAllBytes(golden.resolve(UNET));
        String unetSha = FakeHub.sha256(unet);
        try (FakeHub hub = new FakeHub().serve("org/tiny-sd15", golden, COMMIT, false)) {
            ModelPull pull = new ModelPull(settings(hub.endpoint()));
            hub.breakNextDownloadOf(unetSha);
            assertThrows(DiffijException.class, () -> pull.pull(tiny(), ModelPull.Options.pipeline(), null));
            hub.ignoreRanges(true);
            Path snapshot = pull.pull(tiny(), ModelPull.Options.pipeline(), null).path();
            assertTrue(hub.requests().stream().anyMatch(r -> r.path().equals("/cdn/" + unetSha) && r.range() != null));
            assertArrayEquals(unet, Files.readAllBytes(snapshot.resolve(UNET)));
        }
    }

    @Test
    void onlyWhatAPipelineNeedsIsPulledWithTheVariantWhenAsked() throws IOException {
        byte[] index = """
                {"_class_name": "StableDiffusionPipeline", "unet": ["diffusers", "UNet2DConditionModel"],
                 "safety_checker": ["stable_diffusion", "StableDiffusionSafetyChecker"],
                 "vae": ["diffusers", "AutoencoderKL"], "unused": [null, null]}""".getBytes(StandardCharsets.UTF_8);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("model_index.json", index);
        files.put("README.md", bytes("readme"));
        files.put("v1-5-pruned.safetensors", bytes("single file"));
        files.put("unet/config.json", bytes("{}"));
        files.put("unet/diffusion_pytorch_model.safetensors", bytes("unet f32"));
        files.put("unet/diffusion_pytorch_model.fp16.safetensors", bytes("unet f16"));
        files.put("unet/diffusion_pytorch_model.bin", bytes("unet pickle"));
        files.put("vae/config.json", bytes("{}"));
        files.put("vae/diffusion_pytorch_model.bin", bytes("vae pickle only"));
        files.put("vae/diffusion_flax_model.msgpack", bytes("flax"));
        files.put("safety_checker/config.json", bytes("{}"));
        files.put("safety_checker/model.safetensors", bytes("checker"));
        files.put("unused/config.json", bytes("{}"));
        try (FakeHub hub = new FakeHub().serveFiles("org/pipe", files, COMMIT)) {
            ModelPull pull = new ModelPull(settings(hub.endpoint()));
            assertEquals(List.of("model_index.json", "unet/config.json", "vae/config.json",
                    "unet/diffusion_pytorch_model.safetensors", "vae/diffusion_pytorch_model.bin"),
                    pull.pull(RepoReference.require("org/pipe"), ModelPull.Options.pipeline(), null).files());
            assertEquals(List.of("model_index.json", "unet/config.json", "vae/config.json",
                    "unet/diffusion_pytorch_model.fp16.safetensors", "vae/diffusion_pytorch_model.bin"),
                    pull.pull(RepoReference.require("org/pipe"), new ModelPull.Options("fp16", List.of()), null)
                            .files());
            assertEquals(List.of("unet/config.json", "unet/diffusion_pytorch_model.bin"),
                    pull.pull(RepoReference.require("org/pipe"), new ModelPull.Options(null,
                            List.of("unet/*.json", "*.bin")), null).files().stream()
                            .filter(f -> f.startsWith("unet")).toList());
            assertEquals(List.of("unet/config.json", "unet/diffusion_pytorch_model.safetensors"),
                    pull.pull(RepoReference.require("org/pipe:unet"), ModelPull.Options.pipeline(), null).files()
                            .stream().filter(f -> !f.equals("model_index.json")).toList());
        }
    }

    @Test
    void aRenamedRepoIsFollowedToItsNewNameAndCachedUnderTheNameAsked() throws IOException {
        Path vae = Golden.manifest().modelPath("tiny-sd15").resolve("vae");
        try (FakeHub hub = new FakeHub().serve("org/new-name", vae, COMMIT, false).rename("org/old-name",
                "org/new-name")) {
            HubSettings settings = settings(hub.endpoint());
            ModelPull.Result result = new ModelPull(settings).pull(RepoReference.require("org/old-name"),
                    ModelPull.Options.pipeline(), null);
            assertEquals(settings.cache().resolve("models--org--old-name/snapshots").resolve(COMMIT), result.path());
            for (String file : List.of("config.json", "diffusion_pytorch_model.safetensors")) {
                assertArrayEquals(Files.readAllBytes(vae.resolve(file)), Files.readAllBytes(result.path().resolve(file)));
                assertTrue(hub.requests().stream().anyMatch(r -> r.method().equals("HEAD")
                        && r.path().equals("/org/old-name/resolve/" + COMMIT + "/" + file)), hub.requests().toString());
                assertTrue(hub.requests().stream().anyMatch(r -> r.method().equals("HEAD")
                        && r.path().equals("/org/new-name/resolve/" + COMMIT + "/" + file)), hub.requests().toString());
            }
            // The safetensors blob is named by the SHA-256 the final answer gave, not by the redirect's headers.
            assertTrue(Files.isRegularFile(settings.cache().resolve("models--org--old-name/blobs").resolve(
                    FakeHub.sha256(Files.readAllBytes(vae.resolve("diffusion_pytorch_model.safetensors"))))));
            assertTrue(hub.requests().stream().anyMatch(r -> r.method().equals("GET") && r.path().startsWith("/cdn/")),
                    "the LFS bytes come from the CDN's absolute address: " + hub.requests());
        }
    }

    @Test
    void reposRenamedToEachOtherAreALoopNamedInOneLine() throws IOException {
        try (FakeHub hub = new FakeHub().rename("org/a", "org/b").rename("org/b", "org/a")) {
            DiffijException loop = assertThrows(DiffijException.class, () -> new ModelPull(settings(hub.endpoint()))
                    .pull(RepoReference.require("org/a"), ModelPull.Options.pipeline(), null));
            assertTrue(loop.getMessage().contains("redirects in a loop") && loop.getMessage().contains("HF_ENDPOINT"),
                    loop.getMessage());
            assertEquals(1, loop.getMessage().lines().count());
        }
    }

    @Test
    void gatedRepoNeedsTheTokenWhichIsSentAsBearer() throws IOException {
        try (FakeHub hub = new FakeHub().serve("org/gated", Golden.manifest().modelPath("tiny-sd15").resolve("vae"),
                COMMIT, true)) {
            DiffijException gated = assertThrows(DiffijException.class, () -> new ModelPull(settings(hub.endpoint()))
                    .pull(RepoReference.require("org/gated"), ModelPull.Options.pipeline(), null));
            assertTrue(gated.getMessage().contains("org/gated is gated: accept its licence on " + hub.endpoint()
                    + "/org/gated") && gated.getMessage().contains("HF_TOKEN"), gated.getMessage());
            hub.acceptToken("hf_test_token");
            Files.createDirectories(dir.resolve("hf"));
            Files.writeString(dir.resolve("hf/token"), "hf_test_token\n");
            ModelPull.Result result = new ModelPull(settings(hub.endpoint())).pull(RepoReference.require("org/gated"),
                    ModelPull.Options.pipeline(), null);
            assertTrue(Files.exists(result.path().resolve("diffusion_pytorch_model.safetensors")));
            assertTrue(hub.requests().stream().anyMatch(r -> "Bearer hf_test_token".equals(r.authorization())));
        }
    }

    @Test
    void missingReposAndRevisionsNoNetworkOfflineAndAFullDiskAreOneLineErrors() throws IOException {
        Path golden = Golden.manifest().modelPath("tiny-sd15");
        try (FakeHub hub = new FakeHub().serve("org/tiny-sd15", golden, COMMIT, false)) {
            assertError("org/nothing not found on " + hub.endpoint() + ", or it is private",
                    new ModelPull(settings(hub.endpoint())), "org/nothing");
            assertError("revision 'v9' not found in org/tiny-sd15", new ModelPull(settings(hub.endpoint())),
                    "org/tiny-sd15@v9");
            assertError("HF_HUB_OFFLINE=1 is set", new ModelPull(settings(hub.endpoint(), "HF_HUB_OFFLINE", "1")),
                    "org/tiny-sd15");
            int before = hub.requests().size();
            long needed = 0;
            try (Stream<Path> walk = Files.walk(golden)) {
                for (Path file : walk.filter(Files::isRegularFile).toList()) {
                    needed += file.getFileName().toString().equals("model_index.json") ? 0 : Files.size(file);
                }
            }
            // model_index.json (a few hundred bytes) comes first: it says which components to pull.
            assertError(String.format(java.util.Locale.ROOT, "not enough disk space for the download: %.1f MB needed, "
                    + "0.0 MB free", needed / 1e6),
                    new ModelPull(settings(hub.endpoint()), folder -> 1000), "org/tiny-sd15");
            assertTrue(hub.requests().subList(before, hub.requests().size()).stream()
                    .noneMatch(r -> r.path().startsWith("/cdn/")), "nothing is downloaded before the space check");
        }
        try (FakeHub hub = new FakeHub().serveFiles("org/evil", Map.of("../../outside.json", bytes("{}")), COMMIT)) {
            assertError("would be written outside the snapshot folder", new ModelPull(settings(hub.endpoint())),
                    "org/evil");
            assertFalse(Files.exists(dir.resolve("hf/outside.json")));
        }
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        assertError("cannot reach http://127.0.0.1:" + closedPort + " (no network?)",
                new ModelPull(settings("http://127.0.0.1:" + closedPort)), "org/tiny-sd15");
    }

    @Test
    void aFileTheHubSaysIsMissingIsMarkedInNoExistAndNotAskedForAgain() throws IOException {
        Path golden = Golden.manifest().modelPath("tiny-sd15");
        String missing = "unet/diffusion_pytorch_model.fp16.safetensors";
        try (FakeHub hub = new FakeHub().serve("org/tiny-sd15", golden, COMMIT, false)) {
            HubSettings settings = settings(hub.endpoint());
            ModelPull pull = new ModelPull(settings);
            Path marker = settings.cache().resolve("models--org--tiny-sd15/.no_exist").resolve(COMMIT).resolve(missing);
            assertError("org/tiny-sd15 has no file " + missing, pull, "org/tiny-sd15:" + missing);
            assertTrue(Files.isRegularFile(marker), "huggingface_hub's marker of the 404 is written");
            assertEquals(0, Files.size(marker));

            int before = hub.requests().size();
            assertError("said so before, as " + marker + " records", pull, "org/tiny-sd15:" + missing);
            assertTrue(hub.requests().subList(before, hub.requests().size()).stream()
                    .noneMatch(r -> r.path().endsWith(missing)), "the file is not asked for again");
            // A file that exists is pulled alone when named, as hf_hub_download does.
            assertEquals(List.of("unet/config.json"), pull.pull(RepoReference.require("org/tiny-sd15:unet/config.json"),
                    ModelPull.Options.pipeline(), null).files());
            // What the cache says is missing is told as such, not as something to download.
            DiffijException located = assertThrows(DiffijException.class,
                    () -> ModelLocator.of(List.of(), settings).apply("org/tiny-sd15:" + missing));
            assertTrue(located.getMessage().contains("the hub answered that org/tiny-sd15 has no " + missing
                    + " at commit " + COMMIT), located.getMessage());
        }
    }

    private static void assertError(String expected, ModelPull pull, String repo) {
        DiffijException error = assertThrows(DiffijException.class,
                () -> pull.pull(RepoReference.require(repo), ModelPull.Options.pipeline(), null));
        assertTrue(error.getMessage().contains(expected), error.getMessage());
        assertEquals(1, error.getMessage().lines().count(), error.getMessage());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
