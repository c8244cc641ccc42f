package org.diffij.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.diffij.DiffijException;
import org.diffij.io.AtomicFiles;

/**
 * The huggingface_hub cache, read and written exactly as the Python library does, so that either side
 * uses what the other downloaded: {@code models--org--name/blobs/<etag>} holds the files,
 * {@code snapshots/<commit>/<path>} are relative symlinks to them (copies where the file system has no
 * symlinks), {@code refs/<branch>} holds the commit a branch or tag pointed to, and
 * {@code .no_exist/<commit>/<path>} marks files the hub said do not exist.
 */
public final class HubCache {

    /** A repo found in the cache, with the revisions its refs name and the bytes of its blobs. */
    public record CachedRepo(String repo, Path folder, List<String> refs, List<Path> snapshots, long bytes) {
    }

    private final Path root;

    public HubCache(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** {@code models--org--name}. */
    public Path repoFolder(RepoReference reference) {
        return root.resolve(reference.cacheFolderName());
    }

    /**
     * The commit a revision stands for in the cache: the revision itself when it is a commit hash,
     * else the content of {@code refs/<revision>}.
     */
    public Optional<String> commit(RepoReference reference) {
        if (reference.revisionIsCommit()) {
            return Optional.of(reference.revision());
        }
        Path ref = repoFolder(reference).resolve("refs").resolve(reference.revision());
        if (!Files.isRegularFile(ref)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readString(ref, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            throw new DiffijException(ref + ": cannot be read (" + e.getMessage() + ")", e);
        }
    }

    /**
     * The snapshot folder (or the file or subfolder inside it the reference names) of the cached
     * revision, or empty when the cache does not have it.
     */
    public Optional<Path> find(RepoReference reference) {
        return commit(reference).map(commit -> snapshotFolder(reference, commit))
                .map(snapshot -> reference.path().isEmpty() ? snapshot : snapshot.resolve(reference.path()))
                .filter(Files::exists);
    }

    public Path snapshotFolder(RepoReference reference, String commit) {
        return repoFolder(reference).resolve("snapshots").resolve(commit);
    }

    public Path blob(RepoReference reference, String etag) {
        return repoFolder(reference).resolve("blobs").resolve(etag);
    }

    /** Where a blob is downloaded until it is complete. */
    public Path incompleteBlob(RepoReference reference, String etag) {
        return repoFolder(reference).resolve("blobs").resolve(etag + ".incomplete");
    }

    /**
     * {@code .no_exist/<commit>/<file>}: huggingface_hub's empty marker of a file the hub answered 404
     * for at that commit, which both sides read so that nobody asks for it again.
     */
    public Path missingMarker(RepoReference reference, String commit, String file) {
        return repoFolder(reference).resolve(".no_exist").resolve(commit).resolve(file);
    }

    public boolean knownMissing(RepoReference reference, String commit, String file) {
        return Files.exists(missingMarker(reference, commit, file));
    }

    /** Writes the marker of a file the hub said does not exist at the commit (empty, as huggingface_hub's). */
    public void markMissing(RepoReference reference, String commit, String file) throws IOException {
        Path marker = missingMarker(reference, commit, file);
        Files.createDirectories(marker.getParent());
        if (!Files.exists(marker)) {
            Files.createFile(marker);
        }
    }

    /** Records that the revision's name (a branch or tag) points at the commit. */
    public void writeRef(RepoReference reference, String commit) throws IOException {
        if (reference.revision().equals(commit)) {
            return;
        }
        AtomicFiles.write(repoFolder(reference).resolve("refs").resolve(reference.revision()),
                file -> Files.writeString(file, commit, StandardCharsets.UTF_8));
    }

    /**
     * Makes {@code snapshots/<commit>/<file>} the blob: a relative symlink (so the cache can move),
     * or a copy where symlinks cannot be made (Windows without developer mode, some network shares).
     */
    public Path link(RepoReference reference, String commit, String file, String etag) throws IOException {
        Path target = snapshotFolder(reference, commit).resolve(file);
        Files.createDirectories(target.getParent());
        Path blob = blob(reference, etag);
        Files.deleteIfExists(target);
        try {
            Files.createSymbolicLink(target, target.getParent().relativize(blob));
        } catch (UnsupportedOperationException | FileSystemException e) {
            Files.copy(blob, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    /** Every repo in the cache, by name. */
    public List<CachedRepo> repos() {
        List<CachedRepo> repos = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return repos;
        }
        try (DirectoryStream<Path> folders = Files.newDirectoryStream(root, "models--*")) {
            for (Path folder : folders) {
                String name = folder.getFileName().toString().substring("models--".length());
                int split = name.indexOf("--");
                if (split < 0) {
                    continue;
                }
                String repo = name.substring(0, split) + "/" + name.substring(split + 2);
                repos.add(new CachedRepo(repo, folder, names(folder.resolve("refs")),
                        children(folder.resolve("snapshots")), blobBytes(folder.resolve("blobs"))));
            }
        } catch (IOException e) {
            throw new DiffijException(root + ": cannot be listed (" + e.getMessage() + ")", e);
        }
        repos.sort((a, b) -> a.repo().compareTo(b.repo()));
        return repos;
    }

    private static List<String> names(Path folder) throws IOException {
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(folder)) {
            try (Stream<Path> walk = Files.walk(folder)) {
                walk.filter(Files::isRegularFile).forEach(p -> names.add(folder.relativize(p).toString()
                        .replace('\\', '/')));
            }
        }
        names.sort(null);
        return names;
    }

    private static List<Path> children(Path folder) throws IOException {
        List<Path> children = new ArrayList<>();
        if (Files.isDirectory(folder)) {
            try (Stream<Path> list = Files.list(folder)) {
                list.filter(Files::isDirectory).sorted().forEach(children::add);
            }
        }
        return children;
    }

    private static long blobBytes(Path blobs) throws IOException {
        if (!Files.isDirectory(blobs)) {
            return 0;
        }
        long bytes = 0;
        try (Stream<Path> list = Files.list(blobs)) {
            for (Path blob : list.toList()) {
                bytes += Files.size(blob);
            }
        }
        return bytes;
    }
}
