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
        String problem = fileProblem(path);
        if (problem != null) {
            throw new DiffijException(path + ": " + problem);
        }
    }

    /** Fails unless {@code path} is a regular file or a directory (links followed) on an ordinary file system. */
    public static void requireFileOrFolder(Path path) {
        String problem = problem(path, true);
        if (problem != null) {
            throw new DiffijException(path + ": " + problem);
        }
    }

    /** Why {@code path} cannot be read as a file, in words without the path, or null when it can. */
    public static String fileProblem(Path path) {
        return problem(path, false);
    }

    /** An I/O failure in words: what went wrong with {@code path} and what to do. */
    public static String describe(Path path, IOException e) {
        return path + ": " + reason(e);
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied; make it readable or copy it somewhere you can read";
        }
        if (e instanceof NotDirectoryException) {
            return "a part of the path is not a folder";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return "cannot be read (" + f.getReason() + ")";
        }
        return "cannot be read (" + (e.getMessage() == null ? "input/output error" : e.getMessage()) + ")";
    }

    private static String problem(Path path, boolean folderAllowed) {
        BasicFileAttributes attributes;
        String type;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class);
            type = Files.getFileStore(path).type();
        } catch (IOException e) {
            return reason(e);
        }
        if (attributes.isDirectory() && !folderAllowed) {
            return "is a folder, not a file; name the file itself";
        }
        if (!attributes.isDirectory() && !attributes.isRegularFile()) {
            return "is " + (attributes.isOther() ? "a device, pipe or socket" : "not a file")
                    + ", not a regular file; Diffij reads models and images from regular files only";
        }
        if (KERNEL_FILE_SYSTEMS.contains(type)) {
            return "lies on the kernel's " + type + " file system, which holds no model or image data; name a file "
                    + "on a disk";
        }
        return null;
    }
}
