package org.diffij.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.diffij.DiffijException;

/**
 * SHA-256 identities of models for provenance. A single file hashes as A1111 does ("AutoV2": the
 * whole file; its first 10 hex digits are the "Model hash"), so the hash matches civitai's listing.
 * A diffusers folder hashes as the SHA-256 of the lines {@code relative/path sha256} of its
 * safetensors files in sorted order. Results are remembered across runs per file size and
 * modification time ({@link HashCache}).
 */
public final class ModelHash {

    /** The {@link HashCache} sections: a whole file's SHA-256, and a LoRA's as A1111 takes it. */
    private static final String FILE_SECTION = "sha256";
    private static final String LORA_SECTION = "lora";

    private ModelHash() {
    }

    public static String of(Path model) {
        InputFiles.requireFileOrFolder(model);
        if (Files.isDirectory(model)) {
            return ofFolder(model);
        }
        return ofFile(model);
    }

    public static String ofFile(Path file) {
        return HashCache.shared().hash(FILE_SECTION, file, ModelHash::wholeFile);
    }

    /** The SHA-256 (hex) of bytes in memory (pixels trained on, a resource in the jar). */
    public static String ofBytes(byte[] content) {
        return HexFormat.of().formatHex(sha256().digest(content));
    }

    /**
     * A LoRA's hash as A1111 takes it (the full form of the 12 digits its {@code Lora hashes} key
     * records and pasted infotexts are looked up by): the {@code sshs_model_hash} a safetensors file
     * carries (kohya's and Diffij's own files), else the sd-webui-additional-networks hash of its
     * tensor data (civitai's "AutoV3"), which ignores edits of the metadata; of any other format the
     * whole file's SHA-256. A folder (diffusers' LoRA layout, which A1111 does not read) hashes as
     * a model folder does.
     */
    public static String ofLora(Path file) {
        if (Files.isDirectory(file)) {
            return ofFolder(file);
        }
        return HashCache.shared().hash(LORA_SECTION, file, key -> {
            if (!SafetensorsFile.looksLikeSafetensors(key)) {
                return wholeFile(key);
            }
            String recorded;
            try (SafetensorsFile safetensors = SafetensorsFile.open(key)) {
                recorded = safetensors.metadata().getOrDefault("sshs_model_hash", "");
            }
            return recorded.matches("[0-9a-fA-F]{64}") ? recorded.toLowerCase(Locale.ROOT)
                    : addnetHashes(key)[0];
        });
    }

    private static String wholeFile(Path file) throws IOException {
        MessageDigest digest = sha256();
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * sd-webui-additional-networks' hashes of a safetensors file, which kohya stores in a LoRA as
     * {@code sshs_model_hash} (SHA-256 of everything after the header: the tensor data) and
     * {@code sshs_legacy_hash} (the first 8 hex digits of the SHA-256 of the 64 KiB at offset 1 MiB).
     */
    public static String[] addnetHashes(Path safetensors) {
        try (FileChannel channel = FileChannel.open(safetensors, StandardOpenOption.READ)) {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            if (channel.read(length, 0) != 8) {
                throw new DiffijException(safetensors + ": too short for a safetensors file");
            }
            MessageDigest data = sha256();
            digest(channel, 8 + length.flip().getLong(), Long.MAX_VALUE, data);
            return new String[] {HexFormat.of().formatHex(data.digest()), legacy(channel)};
        } catch (IOException e) {
            throw new DiffijException(safetensors + ": cannot be hashed (" + e.getMessage() + ")", e);
        }
    }

    /**
     * A1111's old 8-digit "model hash" (before AutoV2), which kohya still records as
     * {@code ss_sd_model_hash}: the SHA-256 of the 64 KiB at offset 1 MiB, of nothing for smaller files.
     */
    public static String legacy(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return legacy(channel);
        } catch (IOException e) {
            throw new DiffijException(file + ": cannot be hashed (" + e.getMessage() + ")", e);
        }
    }

    private static String legacy(FileChannel channel) throws IOException {
        MessageDigest digest = sha256();
        digest(channel, 0x100000, 0x10000, digest);
        return HexFormat.of().formatHex(digest.digest()).substring(0, 8);
    }

    /** Digests at most {@code length} bytes from {@code start}, fewer where the file ends first. */
    private static void digest(FileChannel channel, long start, long length, MessageDigest digest) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
        long position = start;
        long left = length;
        while (left > 0) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), left));
            int n = channel.read(buffer, position);
            if (n <= 0) {
                return;
            }
            digest.update(buffer.flip());
            position += n;
            left -= n;
        }
    }

    private static String ofFolder(Path folder) {
        List<Path> files = weightFiles(folder, List.of(".safetensors"));
        if (files.isEmpty()) {
            files = weightFiles(folder, List.of(".bin", ".pt", ".pth", ".ckpt"));
        }
        if (files.isEmpty()) {
            throw new DiffijException(folder + ": holds no .safetensors (or torch .bin) files to identify the model by");
        }
        StringBuilder lines = new StringBuilder();
        for (Path file : files) {
            lines.append(folder.relativize(file).toString().replace('\\', '/')).append(' ').append(ofFile(file))
                    .append('\n');
        }
        return HexFormat.of().formatHex(sha256().digest(lines.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** The folder's weight files with one of the suffixes; pickles count only where there is no safetensors. */
    private static List<Path> weightFiles(Path folder, List<String> suffixes) {
        List<Path> files = new ArrayList<>();
        // A model folder is often a symbolic link (or holds links, as the Hugging Face cache does): follow them.
        try (Stream<Path> walk = Files.walk(folder, FileVisitOption.FOLLOW_LINKS)) {
            walk.filter(p -> suffixes.stream().anyMatch(p.getFileName().toString()::endsWith))
                    .filter(Files::isRegularFile).sorted().forEach(files::add);
        } catch (IOException e) {
            throw new DiffijException(folder + ": cannot be listed (" + e.getMessage() + ")", e);
        }
        return files;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
