package org.diffij.hub;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.ToLongFunction;
import org.diffij.DiffijException;
import org.diffij.io.Json;

/**
 * Downloads what a pipeline needs from a hub repo into the hub cache, as huggingface_hub does, so that
 * Python tools use it too: each file into {@code blobs/<etag>.incomplete}, resumed with a {@code Range}
 * request after an interruption (a server answering 200 instead restarts it), LFS files checked against
 * their SHA-256 etag, renamed to {@code blobs/<etag>} when complete, linked into
 * {@code snapshots/<commit>/}, and {@code refs/<branch>} pointed at the commit. The sizes are checked
 * against the free disk space before the first byte is written.
 */
public final class ModelPull {

    /** What to pull besides the repo: a weights variant ({@code fp16}, or null) and include patterns. */
    public record Options(String variant, List<String> include) {

        public static Options pipeline() {
            return new Options(null, List.of());
        }
    }

    /** Told of the bytes as they arrive (done of total over all files, and the current file). */
    public interface Progress {
        void update(String file, long done, long total, double bytesPerSecond);
    }

    /** The snapshot folder (or the file/subfolder the reference names), its commit and what was fetched. */
    public record Result(Path path, String commit, List<String> files, long bytesDownloaded) {
    }

    private static final int BUFFER = 1 << 16;

    private final HubSettings settings;
    private final HubCache cache;
    private final ToLongFunction<Path> freeSpace;

    /**
     * @param freeSpace the usable bytes of the disk holding a folder (tests give their own; see
     *                  {@link #usableSpace(Path)})
     */
    public ModelPull(HubSettings settings, ToLongFunction<Path> freeSpace) {
        this.settings = settings;
        this.cache = new HubCache(settings.cache());
        this.freeSpace = freeSpace;
    }

    public ModelPull(HubSettings settings) {
        this(settings, ModelPull::usableSpace);
    }

    public Result pull(RepoReference reference, Options options, Progress progress) {
        if (settings.offline()) {
            throw new DiffijException("HF_HUB_OFFLINE=1 is set: pulling " + reference + " needs the hub; unset it "
                    + "to download (models in the cache are used without it)");
        }
        HubClient client = new HubClient(settings);
        HubClient.RevisionInfo revision = client.revision(reference);
        String commit = revision.commit();
        JsonObject modelIndex = null;
        List<HubClient.FileMetadata> metadata = new ArrayList<>();
        // One file named by path is asked for directly, as hf_hub_download does, listed or not.
        boolean oneFile = !reference.path().isEmpty() && options.include().isEmpty()
                && revision.files().stream().noneMatch(f -> f.startsWith(reference.path() + "/"));
        if (options.include().isEmpty() && !oneFile && revision.files().contains("model_index.json")) {
            HubClient.FileMetadata index = head(client, reference, commit, "model_index.json");
            fetch(client, reference, index, new Counter(index.size(), progress));
            modelIndex = Json.readObject(cache.blob(reference, index.etag()));
            metadata.add(index);
        }
        List<String> files = oneFile ? List.of(reference.path()) : PipelineFiles.select(revision.files(), modelIndex,
                options.variant(), options.include(), reference.path());
        if (files.isEmpty()) {
            throw new DiffijException(reference + " has no files a pipeline reads" + (options.include().isEmpty()
                    ? "" : " matching " + options.include()) + ": check the repo's files, or name them with --include");
        }
        for (String file : files) {
            if (metadata.stream().noneMatch(m -> m.file().equals(file))) {
                metadata.add(head(client, reference, commit, file));
            }
        }
        long needed = 0;
        for (HubClient.FileMetadata file : metadata) {
            needed += missingBytes(reference, file);
        }
        checkSpace(needed);
        Counter counter = new Counter(needed, progress);
        long downloaded = 0;
        for (HubClient.FileMetadata file : metadata) {
            downloaded += fetch(client, reference, file, counter);
        }
        try {
            for (HubClient.FileMetadata file : metadata) {
                cache.link(reference, commit, file.file(), file.etag());
            }
            cache.writeRef(reference, commit);
        } catch (IOException e) {
            throw new DiffijException(cache.repoFolder(reference) + ": cannot write the snapshot (" + e.getMessage()
                    + "): check the folder's permissions and free space", e);
        }
        Path snapshot = cache.snapshotFolder(reference, commit);
        return new Result(reference.path().isEmpty() ? snapshot : snapshot.resolve(reference.path()), commit,
                metadata.stream().map(HubClient.FileMetadata::file).toList(), downloaded);
    }

    /**
     * The file's metadata; a file the hub said before does not exist at this commit ({@code .no_exist})
     * is not asked for again, and one it says so of now gets that marker.
     */
    private HubClient.FileMetadata head(HubClient client, RepoReference reference, String commit, String file) {
        if (cache.knownMissing(reference, commit, file)) {
            throw new DiffijException(reference.repo() + " has no file " + file + " at commit " + commit + " (the hub "
                    + "said so before, as " + cache.missingMarker(reference, commit, file) + " records): check the "
                    + "name on " + settings.endpoint() + "/" + reference.repo());
        }
        try {
            return client.head(reference, commit, file);
        } catch (HubClient.MissingFile missing) {
            try {
                cache.markMissing(reference, commit, file);
            } catch (IOException e) {
                // The marker only saves a request next time; the answer itself is what the user needs.
            }
            throw missing;
        }
    }

    /** The usable bytes of the disk that holds the folder (or its nearest existing parent). */
    public static long usableSpace(Path folder) {
        Path existing = folder.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        try {
            return existing == null ? Long.MAX_VALUE : Files.getFileStore(existing).getUsableSpace();
        } catch (IOException e) {
            // Where the disk cannot say, the download itself will tell if it runs out.
            return Long.MAX_VALUE;
        }
    }

    private void checkSpace(long needed) {
        long free = freeSpace.applyAsLong(settings.cache());
        if (needed > free) {
            throw new DiffijException("not enough disk space for the download: " + megabytes(needed) + " needed, "
                    + megabytes(free) + " free in " + settings.cache() + "; free some space or set HF_HUB_CACHE to a "
                    + "folder on a bigger disk");
        }
    }

    private long missingBytes(RepoReference reference, HubClient.FileMetadata file) {
        if (Files.exists(cache.blob(reference, file.etag())) || file.size() < 0) {
            return 0;
        }
        Path incomplete = cache.incompleteBlob(reference, file.etag());
        try {
            return file.size() - (Files.exists(incomplete) ? Files.size(incomplete) : 0);
        } catch (IOException e) {
            return file.size();
        }
    }

    /** Brings the file's blob into the cache unless it is there; returns the bytes downloaded. */
    private long fetch(HubClient client, RepoReference reference, HubClient.FileMetadata file, Counter counter) {
        Path blob = cache.blob(reference, file.etag());
        if (Files.exists(blob)) {
            return 0;
        }
        Path incomplete = cache.incompleteBlob(reference, file.etag());
        try {
            Files.createDirectories(incomplete.getParent());
            long offset = Files.exists(incomplete) ? Files.size(incomplete) : 0;
            HubClient.Download download = client.download(reference, file, offset);
            boolean append = download.resumed() && offset > 0;
            if (!append) {
                // A restart fetches again the bytes the space check counted as already there.
                counter.grow(offset);
            }
            MessageDigest digest = sha256();
            if (append && file.isLfs()) {
                digestExisting(incomplete, digest);
            }
            long received = 0;
            try (InputStream in = download.body(); OutputStream out = Files.newOutputStream(incomplete,
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
                byte[] buffer = new byte[BUFFER];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    out.write(buffer, 0, n);
                    digest.update(buffer, 0, n);
                    received += n;
                    counter.add(file.file(), n);
                }
            } catch (IOException e) {
                throw new DiffijException("download of " + reference.repo() + " " + file.file() + " interrupted ("
                        + e.getMessage() + "); run the same command again to resume", e);
            }
            long size = Files.size(incomplete);
            if (file.size() >= 0 && size != file.size()) {
                throw new DiffijException("download of " + reference.repo() + " " + file.file() + " interrupted at "
                        + size + " of " + file.size() + " bytes; run the same command again to resume");
            }
            if (file.isLfs()) {
                String sha = HexFormat.of().formatHex(digest.digest());
                if (!sha.equals(file.etag())) {
                    Files.delete(incomplete);
                    throw new DiffijException(reference.repo() + " " + file.file() + " arrived corrupted (SHA-256 "
                            + sha + ", expected " + file.etag() + "); run the same command again to download it anew");
                }
            }
            try {
                Files.move(incomplete, blob, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(incomplete, blob, StandardCopyOption.REPLACE_EXISTING);
            }
            return received;
        } catch (IOException e) {
            throw new DiffijException(incomplete + ": cannot be written (" + e.getMessage() + "); check the free "
                    + "space and permissions of " + settings.cache(), e);
        }
    }

    private static void digestExisting(Path file, MessageDigest digest) throws IOException {
        byte[] buffer = new byte[BUFFER];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static String megabytes(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    /** Bytes received over the whole pull, with the rate since it began. */
    private static final class Counter {
        private long total;
        private final Progress progress;
        private final long start = System.nanoTime();
        private long done;

        Counter(long total, Progress progress) {
            this.total = total;
            this.progress = progress;
        }

        void grow(long bytes) {
            total += bytes;
        }

        void add(String file, long bytes) {
            done += bytes;
            if (progress != null) {
                double seconds = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
                progress.update(file, done, total, done / seconds);
            }
        }
    }
}
