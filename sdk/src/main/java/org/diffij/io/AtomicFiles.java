package org.diffij.io;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Writes a file (or a folder) so that it appears only when complete: into a hidden {@code .partial}
 * file beside the target, renamed over it at the end, so an interrupted save never leaves a
 * half-written model.
 */
public final class AtomicFiles {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** Writes the content into the file it is given. */
    public interface Content {
        void writeTo(Path file) throws IOException;
    }

    private AtomicFiles() {
    }

    /**
     * Writes the folder {@code target} (e.g. a diffusers pipeline): the content fills a hidden
     * {@code .partial} folder beside it, which is then renamed to {@code target}. An existing
     * {@code target} is moved aside first and deleted once the new folder is in place, so at no time is
     * a half-written folder under the target's name.
     */
    public static void writeFolder(Path target, Content content) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path directory = absolute.getParent();
        Files.createDirectories(directory);
        Path temporary = hidden(directory, absolute.getFileName() + ".partial", true);
        Path replaced = null;
        try {
            content.writeTo(temporary);
            if (Files.exists(absolute)) {
                replaced = Files.createTempDirectory(directory, "." + absolute.getFileName() + ".replaced");
                Files.delete(replaced);
                Files.move(absolute, replaced, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE);
            temporary = null;
        } finally {
            if (temporary != null) {
                deleteTree(temporary);
                if (replaced != null && !Files.exists(absolute)) {
                    Files.move(replaced, absolute, StandardCopyOption.ATOMIC_MOVE);
                    replaced = null;
                }
            }
        }
        if (replaced != null) {
            deleteTree(replaced);
        }
    }

    /**
     * A new hidden file or folder {@code .NAME.<random>} in {@code directory}, created with the
     * permissions the user's umask gives new files (typically 0644 and 0755); not with
     * {@code Files.createTempFile}, whose 0600 would stay on the renamed output.
     */
    private static Path hidden(Path directory, String name, boolean folder) throws IOException {
        while (true) {
            Path candidate = directory.resolve("." + name + "." + Long.toUnsignedString(RANDOM.nextLong(), 36));
            try {
                return folder ? Files.createDirectory(candidate) : Files.createFile(candidate);
            } catch (FileAlreadyExistsException taken) {
                // Another writer drew the same name: draw again.
            }
        }
    }

    /** Deletes a folder and everything in it (a work folder this program made itself). */
    public static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** Writes {@code target}; I/O failures come back as the IOException for the caller to word. */
    public static void write(Path target, Content content) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path directory = absolute.getParent();
        Files.createDirectories(directory);
        Path temporary = hidden(directory, absolute.getFileName() + ".partial", false);
        try {
            content.writeTo(temporary);
            try {
                Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            temporary = null;
        } finally {
            if (temporary != null) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException ignored) {
                    // The temporary file is hidden and named .partial; leaving it is harmless.
                }
            }
        }
    }
}
