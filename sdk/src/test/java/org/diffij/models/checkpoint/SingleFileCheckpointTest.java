package org.diffij.models.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.diffij.io.HostTensor;
import org.diffij.io.Json;
import org.diffij.io.WeightSet;
import org.diffij.parity.Golden;
import org.junit.jupiter.api.Test;

/** The LDM renaming tables reproduce the reference key map of the tiny SD1.5 checkpoint, tensor for tensor. */
class SingleFileCheckpointTest {

    private static Path models() {
        return Golden.manifest().modelPath("tiny-sd15").getParent();
    }

    @Test
    void everyStoredKeyMapsToTheReferenceDiffusersKey() {
        Path dir = models().resolve("tiny-sd15-single-file");
        JsonObject keyMap = Json.readObject(dir.resolve("key_map.json"));
        Map<String, Set<String>> expected = new HashMap<>();
        Map<String, String> ldmOf = new HashMap<>();
        for (JsonElement row : keyMap.getAsJsonArray("rows")) {
            String target = row.getAsJsonObject().get("diffusers").getAsString();
            if (target.contains(" ")) {
                continue; // the map marks buffers diffusers files do not hold with a remark
            }
            String component = target.substring(0, target.indexOf('/'));
            String name = target.substring(target.indexOf('/') + 1);
            expected.computeIfAbsent(component, c -> new TreeSet<>()).add(name);
            ldmOf.put(target, row.getAsJsonObject().get("ldm").getAsString());
        }
        try (SingleFileCheckpoint checkpoint = SingleFileCheckpoint.open(dir.resolve("tiny-sd15.safetensors"),
                models().resolve("tiny-sd15"))) {
            assertEquals(CheckpointArchitecture.SD1, checkpoint.architecture());
            assertEquals(expected.keySet(), checkpoint.components());
            for (Map.Entry<String, Set<String>> e : expected.entrySet()) {
                RenamedWeights weights = checkpoint.component(e.getKey());
                assertEquals(e.getValue(), new TreeSet<>(weights.names()), e.getKey());
                for (String name : e.getValue()) {
                    assertEquals(ldmOf.get(e.getKey() + "/" + name), weights.storedName(name), name);
                }
            }
        }
    }

    @Test
    void renamedTensorsEqualTheDiffusersFolderTensors() {
        Path sd15 = models().resolve("tiny-sd15");
        try (SingleFileCheckpoint checkpoint = SingleFileCheckpoint.open(
                models().resolve("tiny-sd15-single-file/tiny-sd15.safetensors"), sd15)) {
            for (String component : List.of("unet", "vae")) {
                RenamedWeights renamed = checkpoint.component(component);
                try (WeightSet folder = WeightSet.openFolder(sd15.resolve(component))) {
                    assertEquals(folder.names(), new TreeSet<>(renamed.names()));
                    for (String name : folder.names()) {
                        HostTensor a = folder.read(name);
                        HostTensor b = renamed.read(name);
                        assertArrayEquals(a.shape(), b.shape(), name);
                        assertArrayEquals(a.toFloatArray(), b.toFloatArray(), name);
                    }
                }
            }
            assertTrue(checkpoint.ignoredKeys().contains("alphas_cumprod"));
        }
    }
}
