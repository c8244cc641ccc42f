package org.diffij.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import org.diffij.DiffijException;

/**
 * The one check every path a user names passes before anything reads or hashes it: it must be a
 * regular file (or, where a folder is asked for, a directory) on an ordinary file system. A FIFO or
 * a device would block or stream forever, and kernel interfaces such as {@code /proc} are not data.
 * Also turns the file-system exceptions of reading into words.
 */
public final class InputFiles {

    /** File systems whose "files" are kernel interfaces, never model or image data. */
    private static final Set<String> KERNEL_FILE_SYSTEMS = Set.of("proc", "sysfs", "devtmpfs", "devpts", "debugfs",
            "tracefs", "securityfs", "cgroup", "cgroup2", "configfs", "bpf", "mqueue", "fusectl", "pstore");

    private InputFiles() {
    }

    /** Fails unless {@code path} is a regular file (links followed) that is not a kernel interface. */
    public static void requireFile(Path path) {
        BasicFileAttributes attributes = attributes(path);
        if (attributes.isDirectory()) {
            throw new DiffijException(path + ": is a folder, not a file; name the file itself");
        }
        requireRegular(path, attributes);
    }

    /** Fails unless {@code path} is a regular file or a directory (links followed) on an ordinary file system. */
    public static void requireFileOrFolder(Path path) {
        BasicFileAttributes attributes = attributes(path);
        if (!attributes.isDirectory()) {
            requireRegular(path, attributes);
        } else {
            requireOrdinaryFileSystem(path);
        }
    }

    /** An I/O failure in words: what went wrong with {@code path} and what to do. */
    public static String describe(Path path, IOException e) {
        if (e instanceof NoSuchFileException) {
            return path + ": no such file";
        }
        if (e instanceof AccessDeniedException) {
            return path + ": permission denied; make it readable or copy it somewhere you can read";
        }
        if (e instanceof NotDirectoryException) {
            return path + ": a part of the path is not a folder";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return path + ": cannot be read (" + f.getReason() + ")";
        }
        return path + ": cannot be read (" + (e.getMessage() == null ? "input/output error" : e.getMessage()) + ")";
    }

    private static BasicFileAttributes attributes(Path path) {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class);
        } catch (IOException e) {
            throw new DiffijException(describe(path, e), e);
        }
    }

    private static void requireRegular(Path path, BasicFileAttributes attributes) {
        if (!attributes.isRegularFile()) {
            throw new DiffijException(path + ": is " + (attributes.isOther() ? "a device, pipe or socket" : "not a file")
                    + ", not a regular file; Diffij reads models and images from regular files only");
        }
        requireOrdinaryFileSystem(path);
    }

    private static void requireOrdinaryFileSystem(Path path) {
        String type;
        try {
            type = Files.getFileStore(path).type();
        } catch (IOException e) {
            throw new DiffijException(describe(path, e), e);
        }
        if (KERNEL_FILE_SYSTEMS.contains(type)) {
            throw new DiffijException(path + ": lies on the kernel's " + type
                    + " file system, which holds no model or image data; name a file on a disk");
        }
    }
}
