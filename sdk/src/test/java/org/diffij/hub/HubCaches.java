package org.diffij.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.diffij.io.ModelHash;

/** Writes hub cache entries in tests the way huggingface_hub does, with no server involved. */
public final class HubCaches {

    private HubCaches() {
    }

    /**
     * Caches the folder's files (those {@code files} accepts, by path relative to the folder) as the
     * repo at this commit on branch main: each as blobs/<etag> (here its SHA-256), snapshots/<commit>/<path>
     * a relative symlink to it, refs/main the commit.
     */
    public static void write(Path cache, String repo, Path folder, String commit, Predicate<Path> files)
            throws IOException {
        Path repoFolder = cache.resolve("models--" + repo.replace("/", "--"));
        Files.createDirectories(repoFolder.resolve("blobs"));
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(folder)) {
            paths = walk.filter(Files::isRegularFile).filter(p -> files.test(folder.relativize(p))).toList();
        }
        for (Path file : paths) {
            String etag = ModelHash.ofFile(file);
            Path blob = repoFolder.resolve("blobs").resolve(etag);
            if (!Files.exists(blob)) {
                Files.copy(file, blob);
            }
            Path link = repoFolder.resolve("snapshots").resolve(commit).resolve(folder.relativize(file).toString());
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(link, link.getParent().relativize(blob));
        }
        Files.createDirectories(repoFolder.resolve("refs"));
        Files.writeString(repoFolder.resolve("refs/main"), commit, StandardCharsets.UTF_8);
    }
}
