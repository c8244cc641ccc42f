package org.diffij.hub;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.diffij.DiffijException;
import org.diffij.io.AtomicFiles;
import org.diffij.io.ModelHash;

/**
 * Diffij's own pipeline configs for single-file checkpoints of the public architectures, written from
 * their published values: the jar's resources {@code /org/diffij/models/configs/<id>/} hold the JSON files
 * of a diffusers pipeline folder (model index, scheduler, UNet, VAE, text encoders, tokenizer settings)
 * and a {@value BuiltInModels#SUMS} index of them. Only the CLIP vocabulary is not among them
 * ({@link ClipVocabulary}); {@link #installed} joins both into a pipeline folder under the Diffij home.
 */
public final class BuiltInConfigs {

    private static final String RESOURCES = "/org/diffij/models/configs/";

    private BuiltInConfigs() {
    }

    /** The built-in UNet config of the architecture. */
    public static JsonObject unetConfig(SingleFileConfigs.Architecture architecture) {
        return JsonParser.parseString(new String(resource(architecture, "unet/config.json"), StandardCharsets.UTF_8))
                .getAsJsonObject();
    }

    /**
     * {@code <home>/configs/<id>-<hash>}: the architecture's configs with the vocabulary's files in each
     * tokenizer folder, written on first use beside and renamed, so that a half-written folder is never
     * used; the hash covers the configs and the vocabulary, so a changed one gets a folder of its own.
     */
    public static Path installed(SingleFileConfigs.Architecture architecture, Path vocabulary, Path home) {
        byte[] index = resource(architecture, BuiltInModels.SUMS);
        try {
            byte[] vocab = Files.readAllBytes(vocabulary.resolve("vocab.json"));
            byte[] merges = Files.readAllBytes(vocabulary.resolve("merges.txt"));
            ByteArrayOutputStream identity = new ByteArrayOutputStream();
            identity.write(index);
            identity.write(HexFormat.of().parseHex(ModelHash.ofBytes(vocab)));
            identity.write(HexFormat.of().parseHex(ModelHash.ofBytes(merges)));
            String hash = ModelHash.ofBytes(identity.toByteArray()).substring(0, 12);
            Path folder = home.resolve("configs").resolve(architecture.configId() + "-" + hash);
            if (Files.isRegularFile(folder.resolve(BuiltInModels.SUMS))) {
                return folder;
            }
            AtomicFiles.writeFolder(folder, partial -> {
                BuiltInModels.copyIndexed(index, relative -> resource(architecture, relative), partial,
                        "the built-in " + architecture.label() + " configs in Diffij's jar are damaged");
                for (String tokenizer : List.of("tokenizer", "tokenizer_2")) {
                    if (Files.isDirectory(partial.resolve(tokenizer))) {
                        write(partial.resolve(tokenizer).resolve("vocab.json"), vocab);
                        write(partial.resolve(tokenizer).resolve("merges.txt"), merges);
                    }
                }
                // Written last: a folder with its index is complete.
                write(partial.resolve(BuiltInModels.SUMS), index);
            });
            return folder;
        } catch (IOException e) {
            throw new DiffijException("the built-in " + architecture.label() + " configs cannot be written into "
                    + home.resolve("configs") + " (" + e.getMessage() + "): make that folder writable or set "
                    + "DIFFIJ_HOME to a writable folder", e);
        }
    }

    private static void write(Path target, byte[] content) throws IOException {
        Files.createDirectories(target.getParent());
        Files.write(target, content);
    }

    private static byte[] resource(SingleFileConfigs.Architecture architecture, String relative) {
        String path = RESOURCES + architecture.configId() + "/" + relative;
        try (var in = BuiltInConfigs.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new DiffijException("the built-in " + architecture.label() + " configs in Diffij's jar lack "
                        + relative + ": reinstall Diffij");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new DiffijException("the built-in " + architecture.label() + " configs cannot be read from Diffij's "
                    + "jar (" + e.getMessage() + ")", e);
        }
    }
}
