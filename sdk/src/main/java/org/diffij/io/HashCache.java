package org.diffij.io;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.diffij.DiffijException;

/**
 * Hashes of model files remembered across runs, so that listing models or recording a generation's
 * model and LoRA hashes reads a multi-gigabyte file once, not every time. As A1111's {@code cache.json}
 * (in its own data folder, keyed by file, with the mtime it was hashed at), one small JSON file in
 * Diffij's home ({@link DiffijHome}, {@value #FILE_NAME}) and never a file beside the models: model
 * folders and the hub cache belong to the user and to the other tools, and may be read-only. An entry
 * holds for the file's real path (a hub snapshot's link resolves to its blob, shared by snapshots) as
 * long as its size and modification time are those it was hashed at; otherwise the file is hashed again.
 * Each kind of hash (a whole file's SHA-256, a LoRA's) has its own section.
 */
public final class HashCache {

    /** Computes a hash by reading the file. */
    public interface Hashing {
        String hash(Path file) throws IOException;
    }

    public static final String FILE_NAME = "hashes.json";

    private static final Map<Path, HashCache> SHARED = new ConcurrentHashMap<>();

    private final Path file;
    private JsonObject entries;
    /** The cache file's stamp when last read or written: another process's write shows as a new one. */
    private String loadedStamp;

    public HashCache(Path file) {
        this.file = file;
    }

    /** The cache of the current Diffij home (one per home, shared by every thread). */
    public static HashCache shared() {
        Path file = DiffijHome.folder().resolve(FILE_NAME).toAbsolutePath().normalize();
        return SHARED.computeIfAbsent(file, HashCache::new);
    }

    public Path file() {
        return file;
    }

    /**
     * The {@code kind} hash of the file: remembered when the file still has the size and modification
     * time it was hashed at, else computed by {@code hashing} and remembered.
     */
    public String hash(String kind, Path model, Hashing hashing) {
        InputFiles.requireFile(model);
        try {
            Path key = model.toRealPath();
            long size = Files.size(key);
            long modified = Files.getLastModifiedTime(key).to(TimeUnit.NANOSECONDS);
            String remembered = lookup(kind, key.toString(), size, modified);
            if (remembered != null) {
                return remembered;
            }
            String hash = hashing.hash(key);
            // The stamp from before the reading: a file changed meanwhile is hashed again next time.
            remember(kind, key.toString(), size, modified, hash);
            return hash;
        } catch (IOException e) {
            throw new DiffijException(InputFiles.describe(model, e), e);
        }
    }

    private synchronized String lookup(String kind, String key, long size, long modified) {
        reloadIfChanged();
        JsonElement section = entries.get(kind);
        if (section == null || !section.isJsonObject() || !section.getAsJsonObject().has(key)) {
            return null;
        }
        JsonElement entry = section.getAsJsonObject().get(key);
        if (!entry.isJsonObject()) {
            return null;
        }
        JsonObject fields = entry.getAsJsonObject();
        boolean same = number(fields, "size") == size && number(fields, "mtime_ns") == modified
                && fields.has("hash") && fields.get("hash").isJsonPrimitive();
        return same ? fields.get("hash").getAsString() : null;
    }

    private synchronized void remember(String kind, String key, long size, long modified, String hash) {
        reloadIfChanged();
        if (!entries.has(kind) || !entries.get(kind).isJsonObject()) {
            entries.add(kind, new JsonObject());
        }
        JsonObject fields = new JsonObject();
        fields.addProperty("size", size);
        fields.addProperty("mtime_ns", modified);
        fields.addProperty("hash", hash);
        entries.getAsJsonObject(kind).add(key, fields);
        String json = new GsonBuilder().setPrettyPrinting().create().toJson(entries);
        try {
            Files.createDirectories(file.getParent());
            AtomicFiles.write(file, target -> Files.writeString(target, json, StandardCharsets.UTF_8));
            loadedStamp = stamp();
        } catch (IOException e) {
            // A home that cannot be written (read-only, full) costs only the time of hashing again next run;
            // the hash itself is right, so the work it belongs to goes on.
        }
    }

    /** Reads the file again when another process (the CLI beside Fiji, say) wrote it since. */
    private void reloadIfChanged() {
        String now = stamp();
        if (entries != null && now.equals(loadedStamp)) {
            return;
        }
        entries = new JsonObject();
        loadedStamp = now;
        if (!Files.isRegularFile(file)) {
            return;
        }
        try {
            entries = Json.readObject(file);
        } catch (DiffijException e) {
            // A damaged cache (a hand edit, a disk error) holds nothing to trust: the files are hashed again
            // and the cache is written anew.
        }
    }

    private String stamp() {
        try {
            return Files.isRegularFile(file) ? Files.size(file) + "@" + Files.getLastModifiedTime(file).toMillis()
                    : "absent";
        } catch (IOException e) {
            return "unreadable";
        }
    }

    private static long number(JsonObject fields, String name) {
        JsonElement value = fields.get(name);
        return value != null && value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber()
                ? value.getAsLong() : -1;
    }
}
