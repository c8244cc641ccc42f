package org.diffij.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.diffij.DiffijException;
import org.diffij.io.ModelHash;
import org.diffij.parity.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelLocatorTest {

    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    @TempDir
    Path dir;

    private HubSettings hub(boolean offline) {
        return HubSettings.of(offline ? Map.of("HF_HOME", dir.resolve("hf").toString(), "HF_HUB_OFFLINE", "1")
                : Map.of("HF_HOME", dir.resolve("hf").toString()), dir.resolve("home"));
    }

    @Test
    void settingsFollowHuggingfaceHubsVariablesAndNeverShowTheToken() throws IOException {
        Path home = dir.resolve("home");
        HubSettings defaults = HubSettings.of(Map.of(), home);
        assertEquals(home.resolve(".cache/huggingface/hub"), defaults.cache());
        assertEquals("https://huggingface.co", defaults.endpoint());
        assertFalse(defaults.offline());
        assertTrue(defaults.token().isEmpty());

        Files.createDirectories(dir.resolve("hf"));
        Files.writeString(dir.resolve("hf/token"), "hf_saved\n");
        HubSettings fromHome = HubSettings.of(Map.of("HF_HOME", dir.resolve("hf").toString(), "HF_HUB_OFFLINE",
                "true", "HF_ENDPOINT", "http://127.0.0.1:9/"), home);
        assertEquals(dir.resolve("hf/hub"), fromHome.cache());
        assertEquals(Optional.of("hf_saved"), fromHome.token());
        assertTrue(fromHome.offline());
        assertEquals("http://127.0.0.1:9", fromHome.endpoint());

        HubSettings explicit = HubSettings.of(Map.of("HF_HOME", dir.resolve("hf").toString(), "HF_HUB_CACHE",
                dir.resolve("elsewhere").toString(), "HF_TOKEN", "hf_secret", "HF_HUB_OFFLINE", "0"), home);
        assertEquals(dir.resolve("elsewhere"), explicit.cache());
        assertEquals(Optional.of("hf_secret"), explicit.token());
        assertFalse(explicit.offline());
        assertFalse(explicit.toString().contains("hf_secret"), explicit.toString());
    }

    @Test
    void repoReferencesCarryRevisionAndPath() {
        assertEquals(new RepoReference("org/name", "main", ""), RepoReference.parse("org/name").orElseThrow());
        assertEquals(new RepoReference("org/name", "v1.0", "unet"), RepoReference.parse("org/name@v1.0:unet")
                .orElseThrow());
        assertEquals(new RepoReference("h94/IP-Adapter", "main", "models/ip-adapter_sd15.safetensors"),
                RepoReference.parse("h94/IP-Adapter:models/ip-adapter_sd15.safetensors").orElseThrow());
        assertEquals("models--h94--IP-Adapter", RepoReference.parse("h94/IP-Adapter").orElseThrow()
                .cacheFolderName());
        assertTrue(RepoReference.parse("models/sd15/unet").isEmpty(), "three parts are a path");
        assertTrue(RepoReference.parse("/abs/path").isEmpty());
        assertTrue(RepoReference.parse("org--x/name").isEmpty());
        assertTrue(RepoReference.parse("org/name:../escape").isEmpty());
        DiffijException bad = assertThrows(DiffijException.class, () -> RepoReference.require("just-a-name"));
        assertTrue(bad.getMessage().contains("org/name"), bad.getMessage());
    }

    @Test
    void aCacheThatHuggingfaceHubWroteIsFoundByRepoIdRevisionAndPath() throws IOException {
        Path folder = Golden.manifest().modelPath("tiny-sd15");
        HubSettings hub = hub(true);
        HubCaches.write(hub.cache(), "org/tiny-sd15", folder, COMMIT, file -> true);
        ModelLocator locator = ModelLocator.of(List.of(), hub);
        Path snapshot = hub.cache().resolve("models--org--tiny-sd15/snapshots").resolve(COMMIT);
        assertEquals(snapshot, locator.apply("org/tiny-sd15"));
        assertEquals(snapshot, locator.apply("org/tiny-sd15@" + COMMIT));
        assertEquals(snapshot.resolve("unet"), locator.apply("org/tiny-sd15:unet"));
        assertEquals(snapshot.resolve("vae/diffusion_pytorch_model.safetensors"),
                locator.apply("org/tiny-sd15@main:vae/diffusion_pytorch_model.safetensors"));
        // The snapshot holds the same weights as the folder: the model hash (what generation records) agrees.
        assertEquals(ModelHash.of(folder), ModelHash.of(locator.apply("org/tiny-sd15")));

        DiffijException otherRevision = assertThrows(DiffijException.class, () -> locator.apply("org/tiny-sd15@v2"));
        assertTrue(otherRevision.getMessage().contains("HF_HUB_OFFLINE=1")
                && otherRevision.getMessage().contains("diffij models pull org/tiny-sd15@v2"), otherRevision.getMessage());
        DiffijException online = assertThrows(DiffijException.class,
                () -> ModelLocator.of(List.of(), hub(false)).apply("org/missing"));
        assertTrue(online.getMessage().contains("download it first: diffij models pull org/missing"),
                online.getMessage());
        assertEquals(1, online.getMessage().lines().count());
    }

    @Test
    void pathsComeFirstThenFolderNamesThenTheHub() throws IOException {
        HubSettings hub = hub(true);
        HubCaches.write(hub.cache(), "org/lora", Golden.manifest().root().resolve("models/lora"), COMMIT,
                file -> true);
        Path loras = Files.createDirectories(dir.resolve("loras/org"));
        Path named = Files.writeString(loras.resolve("lora.safetensors"), "x");
        ModelLocator locator = ModelLocator.of(List.of(dir.resolve("loras")), hub);
        assertEquals(named, locator.apply("org/lora"), "a name in a model folder wins over the hub cache");
        assertEquals(hub.cache().resolve("models--org--lora/snapshots").resolve(COMMIT),
                ModelLocator.of(List.of(), hub).apply("org/lora"));
        DiffijException missing = assertThrows(DiffijException.class, () -> locator.apply("nothing"));
        assertTrue(missing.getMessage().contains("'nothing' not found in [" + dir.resolve("loras") + "]"),
                missing.getMessage());
    }

    @Test
    void a1111AndComfyUiInstallationsAreSearchedByName() throws IOException {
        Path webui = dir.resolve("stable-diffusion-webui");
        Path checkpoint = touch(webui.resolve("models/Stable-diffusion/dreamshaper.safetensors"));
        Path lycoris = touch(webui.resolve("models/LyCORIS/locon.safetensors"));
        Path embedding = touch(webui.resolve("embeddings/bad-hands.pt"));
        Path hypernetwork = touch(webui.resolve("models/hypernetworks/anime.pt"));
        Path controlnet = touch(webui.resolve("models/ControlNet/control_canny.safetensors"));
        Path vae = touch(webui.resolve("models/VAE/vae-ft-mse.safetensors"));
        ModelLocator a1111 = ModelLocator.of(List.of(webui), hub(true));
        assertEquals(checkpoint, a1111.apply("dreamshaper"));
        assertEquals(lycoris, a1111.apply("locon"));
        assertEquals(embedding, a1111.apply("bad-hands"));
        assertEquals(hypernetwork, a1111.apply("anime"));
        assertEquals(controlnet, a1111.apply("control_canny"));
        assertEquals(vae, a1111.apply("vae-ft-mse.safetensors"));

        Path comfy = dir.resolve("ComfyUI");
        Path comfyCheckpoint = touch(comfy.resolve("models/checkpoints/sdxl.safetensors"));
        Path ipadapter = touch(comfy.resolve("models/ipadapter/ip-adapter_sd15.safetensors"));
        Path clipVision = Files.createDirectories(comfy.resolve("models/clip_vision/vit-h"));
        Path shared = dir.resolve("shared-models");
        Path sharedLora = touch(shared.resolve("Lora/detail.safetensors"));
        Path otherLora = touch(shared.resolve("LyCORIS/loha.safetensors"));
        Files.writeString(comfy.resolve("extra_model_paths.yaml"), """
                # ComfyUI's example: point at an A1111 installation
                a111:
                    base_path: ../shared-models/   # relative to this file
                    checkpoints: models/Stable-diffusion
                    loras: |
                         Lora
                         LyCORIS
                    upscale_models: ESRGAN
                """);
        ModelLocator comfyui = ModelLocator.of(List.of(comfy), hub(true));
        assertEquals(comfyCheckpoint, comfyui.apply("sdxl"));
        assertEquals(ipadapter, comfyui.apply("ip-adapter_sd15"));
        assertEquals(clipVision, comfyui.apply("vit-h"));
        assertEquals(sharedLora, comfyui.apply("detail"));
        assertEquals(otherLora, comfyui.apply("loha"));
        assertTrue(comfyui.searchedFolders().contains(comfy.resolve("models/checkpoints")));
        assertFalse(comfyui.searchedFolders().contains(comfy), comfyui.searchedFolders().toString());
    }

    private static Path touch(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, "weights");
    }
}
