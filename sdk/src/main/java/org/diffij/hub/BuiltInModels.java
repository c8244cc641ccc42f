package org.diffij.hub;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.diffij.DiffijException;
import org.diffij.io.AtomicFiles;
import org.diffij.io.DiffijHome;
import org.diffij.io.ModelHash;

/**
 * Models that ship inside Diffij's jar and are found by name when no path or model folder has that
 * name: {@value #DEMO}, the shapes-world model Diffij trains itself, so a new user generates an
 * image before downloading anything. A built-in model is a diffusers folder among the jar's
 * resources with a {@value #SUMS} index ({@code sha256sum} format, so {@code sha256sum -c} checks a
 * folder); on first use it is copied, checked, into {@code <diffij home>/models/NAME-<index hash>}
 * ({@link DiffijHome}), as a folder every other tool loads too.
 */
public final class BuiltInModels {

    public static final String DEMO = "demo";
    /** The index of a built-in model's files: one {@code <sha256 hex>  <relative path>} line each. */
    public static final String SUMS = "SHA256SUMS";

    private static final String RESOURCES = "/org/diffij/models/";

    private BuiltInModels() {
    }

    /** The installed folder of the built-in model of that name, or none when there is no such model. */
    public static Optional<Path> find(String name) {
        if (!DEMO.equals(name) || BuiltInModels.class.getResource(RESOURCES + name + "/" + SUMS) == null) {
            return Optional.empty();
        }
        return Optional.of(installed(name, DiffijHome.folder()));
    }

    /**
     * The model's folder under {@code home}, copied there from the jar unless an earlier copy is
     * complete; the copy is written beside and renamed, so a half-copied model is never used.
     */
    static Path installed(String name, Path home) {
        byte[] index = resource(name, SUMS);
        Path folder = home.resolve("models").resolve(name + "-" + ModelHash.ofBytes(index).substring(0, 12));
        if (Files.isRegularFile(folder.resolve(SUMS))) {
            return folder;
        }
        Path partial = folder.resolveSibling(folder.getFileName() + ".partial-" + ProcessHandle.current().pid());
        try {
            Files.createDirectories(partial);
            copyIndexed(index, relative -> resource(name, relative), partial,
                    "the built-in model '" + name + "' in Diffij's jar is damaged");
            Files.write(partial.resolve(SUMS), index);
            try {
                Files.move(partial, folder);
            } catch (IOException raced) {
                // Another process installed it meanwhile: its copy is as good as this one.
                if (!Files.isRegularFile(folder.resolve(SUMS))) {
                    throw raced;
                }
                AtomicFiles.deleteTree(partial);
            }
            return folder;
        } catch (IOException e) {
            throw new DiffijException("the built-in model '" + name + "' cannot be installed into " + folder + " ("
                    + e.getMessage() + "): make that folder writable or set DIFFIJ_HOME to a writable folder", e);
        }
    }

    /**
     * Writes into {@code folder} every file a {@value #SUMS} index lists, as {@code resource} reads it from
     * the jar, each checked against its SHA-256 first; {@code damaged} begins the message of one that does
     * not match.
     */
    static void copyIndexed(byte[] index, Function<String, byte[]> resource, Path folder, String damaged)
            throws IOException {
        for (String line : new String(index, StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String relative = line.substring(66);
            byte[] content = resource.apply(relative);
            if (!ModelHash.ofBytes(content).equals(line.substring(0, 64))) {
                throw new DiffijException(damaged + " (" + relative + " does not match its SHA-256): reinstall Diffij");
            }
            Path target = folder.resolve(relative);
            Files.createDirectories(target.getParent());
            Files.write(target, content);
        }
    }

    /** Writes the {@value #SUMS} index of a model folder (every file below it but the index itself). */
    public static void writeIndex(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            List<String> lines = new ArrayList<>();
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                String relative = folder.relativize(file).toString().replace('\\', '/');
                if (!relative.equals(SUMS)) {
                    lines.add(ModelHash.ofBytes(Files.readAllBytes(file)) + "  " + relative);
                }
            }
            byte[] index = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
            AtomicFiles.write(folder.resolve(SUMS), file -> Files.write(file, index));
        } catch (IOException e) {
            throw new DiffijException(folder + ": cannot be indexed (" + e.getMessage() + ")", e);
        }
    }

    private static byte[] resource(String name, String relative) {
        try (InputStream in = BuiltInModels.class.getResourceAsStream(RESOURCES + name + "/" + relative)) {
            if (in == null) {
                throw new DiffijException("the built-in model '" + name + "' in Diffij's jar lacks " + relative
                        + ": reinstall Diffij");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new DiffijException("the built-in model '" + name + "' cannot be read from Diffij's jar ("
                    + e.getMessage() + ")", e);
        }
    }
}
