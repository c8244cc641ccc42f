package org.diffij.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
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

    /** sd-webui-additional-networks' rule, recomputed here: SHA-256 of the bytes after the 8 + n header bytes. */
    private static String tensorDataSha256(Path file) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        long header = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        digest.update(bytes, (int) (8 + header), (int) (bytes.length - 8 - header));
        return HexFormat.of().formatHex(digest.digest());
    }

    @Test
    void aLoraHashesAsA1111DoesByItsTensorDataOrTheHashItRecords() throws Exception {
        Map<String, HostTensor> tensors = Map.of("lora_unet_x.lora_down.weight", HostTensor.ofFloats(
                new float[] {1, 2, 3, 4}, 2, 2), "lora_unet_x.alpha", HostTensor.scalar(2));
        Path first = dir.resolve("first.safetensors");
        Path renamed = dir.resolve("renamed.safetensors");
        SafetensorsWriter.write(first, tensors, Map.of("ss_output_name", "first"));
        SafetensorsWriter.write(renamed, tensors, Map.of("ss_output_name", "a longer name than before"));
        assertEquals(tensorDataSha256(first), ModelHash.ofLora(first));
        assertEquals(ModelHash.ofLora(first), ModelHash.ofLora(renamed), "metadata edits keep a LoRA's hash");
        assertNotEquals(ModelHash.ofFile(first), ModelHash.ofFile(renamed));
        assertNotEquals(ModelHash.ofFile(first), ModelHash.ofLora(first), "the header is not hashed");

        String recorded = "0123456789abcdef".repeat(4);
        Path kohya = dir.resolve("kohya.safetensors");
        SafetensorsWriter.write(kohya, tensors, Map.of("sshs_model_hash", recorded.toUpperCase(Locale.ROOT)));
        assertEquals(recorded, ModelHash.ofLora(kohya), "A1111 takes the hash kohya recorded");

        Path pickle = dir.resolve("old.pt");
        Files.writeString(pickle, "abc", StandardCharsets.US_ASCII);
        assertEquals(ModelHash.ofFile(pickle), ModelHash.ofLora(pickle), "other formats: the whole file");
    }

    @Test
    void aFolderGivenThroughASymbolicLinkHashesAsTheFolder() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("model/unet"));
        Files.writeString(folder.resolve("diffusion_pytorch_model.safetensors"), "weights");
        Path link = Files.createSymbolicLink(dir.resolve("linked"), dir.resolve("model"));
        assertEquals(ModelHash.of(dir.resolve("model")), ModelHash.of(link));
    }
}
