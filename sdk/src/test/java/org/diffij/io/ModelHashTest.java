package org.diffij.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.diffij.DiffijException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelHashTest {

    @TempDir
    Path dir;

    @Test
    void aFileHashesAsSha256OfItsBytes() throws IOException {
        Path file = dir.resolve("m.safetensors");
        Files.writeString(file, "abc", StandardCharsets.US_ASCII);
        // FIPS 180-2 test vector for "abc".
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ModelHash.of(file));
    }

    @Test
    void aChangedFileIsHashedAgain() throws IOException {
        Path file = dir.resolve("m.safetensors");
        Files.writeString(file, "abc");
        String first = ModelHash.of(file);
        Files.writeString(file, "abd");
        Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 5000));
        assertNotEquals(first, ModelHash.of(file));
    }

    @Test
    void aFolderHashesItsWeightFilesByRelativePath() throws IOException {
        Files.createDirectories(dir.resolve("unet"));
        Files.createDirectories(dir.resolve("vae"));
        Files.writeString(dir.resolve("unet/diffusion_pytorch_model.safetensors"), "u");
        Files.writeString(dir.resolve("vae/diffusion_pytorch_model.safetensors"), "v");
        Files.writeString(dir.resolve("model_index.json"), "{}");
        String hash = ModelHash.of(dir);
        assertEquals(64, hash.length());
        Files.writeString(dir.resolve("model_index.json"), "{\"changed\": true}");
        assertEquals(hash, ModelHash.of(dir), "only weights identify a model");
        assertThrows(DiffijException.class, () -> ModelHash.of(Files.createDirectory(dir.resolve("empty"))));
    }

    @Test
    void aFolderGivenThroughASymbolicLinkHashesAsTheFolder() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("model/unet"));
        Files.writeString(folder.resolve("diffusion_pytorch_model.safetensors"), "weights");
        Path link = Files.createSymbolicLink(dir.resolve("linked"), dir.resolve("model"));
        assertEquals(ModelHash.of(dir.resolve("model")), ModelHash.of(link));
    }
}
