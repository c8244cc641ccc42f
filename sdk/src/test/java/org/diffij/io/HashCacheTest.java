package org.diffij.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HashCacheTest {

    @TempDir
    Path dir;

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(file)));
    }

    @Test
    void aHashIsRememberedAcrossRunsInTheHomeAndNotBesideTheModel() throws Exception {
        Path models = Files.createDirectories(dir.resolve("models"));
        Path model = models.resolve("model.safetensors");
        Files.writeString(model, "weights, first version", StandardCharsets.UTF_8);
        String first = ModelHash.ofFile(model);
        assertEquals(sha256(model), first);
        assertEquals(DiffijHome.folder().resolve(HashCache.FILE_NAME).toAbsolutePath().normalize(),
                HashCache.shared().file());
        assertTrue(Json.readObject(HashCache.shared().file()).getAsJsonObject("sha256")
                .has(model.toRealPath().toString()), "the entry is in the home's " + HashCache.FILE_NAME);
        try (var listing = Files.list(models)) {
            assertEquals(1, listing.count(), "nothing is written beside the model");
        }

        // Same size and modification time, other bytes: a new process (a fresh cache on the same file) answers
        // from the cache without reading the model, which is what proves the cache is used.
        FileTime modified = Files.getLastModifiedTime(model);
        Files.writeString(model, "weights, other version", StandardCharsets.UTF_8);
        Files.setLastModifiedTime(model, modified);
        HashCache nextRun = new HashCache(HashCache.shared().file());
        assertEquals(first, nextRun.hash("sha256", model, file -> fail("the file was read again")));

        // A touched file is hashed again, as is one whose size changed.
        Files.setLastModifiedTime(model, FileTime.fromMillis(modified.toMillis() + 2000));
        String touched = ModelHash.ofFile(model);
        assertEquals(sha256(model), touched);
        assertNotEquals(first, touched);
        Files.writeString(model, "weights, a longer third version", StandardCharsets.UTF_8);
        Files.setLastModifiedTime(model, FileTime.fromMillis(modified.toMillis() + 2000));
        assertEquals(sha256(model), new HashCache(HashCache.shared().file()).hash("sha256", model,
                file -> ModelHash.ofBytes(Files.readAllBytes(file))));
    }

    @Test
    void aDamagedOrUnwritableCacheFileOnlyCostsHashingAgain() throws Exception {
        Path model = dir.resolve("model.bin");
        Files.writeString(model, "pickle bytes", StandardCharsets.UTF_8);
        Path damaged = dir.resolve("home/" + HashCache.FILE_NAME);
        Files.createDirectories(damaged.getParent());
        Files.writeString(damaged, "{\"sha256\": {", StandardCharsets.UTF_8);
        int[] reads = {0};
        HashCache.Hashing counting = file -> {
            reads[0]++;
            return ModelHash.ofBytes(Files.readAllBytes(file));
        };
        assertEquals(sha256(model), new HashCache(damaged).hash("sha256", model, counting));
        assertEquals(sha256(model), new HashCache(damaged).hash("sha256", model, counting));
        assertEquals(1, reads[0], "the damaged file was replaced by a readable one");

        // A home that is a file cannot hold the cache: the hash is still given, each time computed.
        Path blocked = Files.writeString(dir.resolve("not-a-folder"), "x");
        HashCache unwritable = new HashCache(blocked.resolve(HashCache.FILE_NAME));
        assertEquals(sha256(model), unwritable.hash("sha256", model, counting));
        assertEquals(sha256(model), new HashCache(blocked.resolve(HashCache.FILE_NAME)).hash("sha256", model,
                counting));
        assertEquals(3, reads[0]);
    }
}
