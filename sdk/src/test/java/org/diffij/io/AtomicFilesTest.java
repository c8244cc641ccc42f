package org.diffij.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path dir;

    @Test
    void outputsGetThePermissionsOfAnyNewFileNotThoseOfATemporaryFile() throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX permissions only");
        // What the user's umask gives a new file and folder here (0644 / 0755 with the usual 022).
        Set<PosixFilePermission> plainFile = Files.getPosixFilePermissions(Files.createFile(dir.resolve("plain")));
        Set<PosixFilePermission> plainFolder = Files.getPosixFilePermissions(Files.createDirectory(dir.resolve("d")));
        Path file = dir.resolve("out.safetensors");
        AtomicFiles.write(file, f -> Files.writeString(f, "content"));
        assertEquals("content", Files.readString(file));
        assertEquals(plainFile, Files.getPosixFilePermissions(file));
        Path folder = dir.resolve("pipeline");
        AtomicFiles.writeFolder(folder, f -> Files.writeString(f.resolve("model_index.json"), "{}"));
        assertEquals(plainFolder, Files.getPosixFilePermissions(folder));
        assertTrue(Files.isRegularFile(folder.resolve("model_index.json")));
        try (var left = Files.list(dir)) {
            assertEquals(0, left.filter(p -> p.getFileName().toString().contains(".partial")).count(),
                    "no temporary file is left");
        }
    }
}
