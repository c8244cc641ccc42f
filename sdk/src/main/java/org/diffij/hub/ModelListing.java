package org.diffij.hub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.diffij.DiffijException;
import org.diffij.io.DType;
import org.diffij.io.ModelHash;
import org.diffij.io.ModelSummary;

/**
 * What the hub cache and the model folders hold, as {@code diffij models list} and Fiji's Models...
 * window show it: per place (the hub cache, then each model folder, A1111 and ComfyUI installations
 * expanded into theirs) its entries with size, hash, dtypes, kind and what a pipeline would still miss.
 * Kinds and dtypes come from the headers; hashes read whole files the first time only ({@link
 * org.diffij.io.HashCache}).
 */
public final class ModelListing {

    /**
     * A hub cache or model folder with its entries; {@code hubCache} tells the two apart; {@code problem}
     * says why a model folder could not be listed (null when it was).
     */
    public record Place(Path folder, boolean hubCache, List<Entry> entries, String problem) {
    }

    /**
     * One model: a hub repo's snapshot (named {@code org/name}, {@code @ref} unless it is main) or a model
     * folder's file or folder. {@code hash} is the first 10 hex digits of its SHA-256 (A1111's model hash;
     * the folder hash of a diffusers folder), "-" for what has no weights to hash or when not asked for;
     * {@code kind} says why it is not a model when it is none.
     */
    public record Entry(String name, Path path, long bytes, String hash, String dtypes, long parameters, String kind,
            String missing) {
    }

    /** Told before each entry is described (hashing a large file for the first time takes a while). */
    public interface Progress {
        void describing(int index, int count, String name);
    }

    private static final List<String> WEIGHT_SUFFIXES = List.of(".safetensors", ".ckpt", ".pt", ".pth", ".bin");

    private ModelListing() {
    }

    /** The hub cache of these settings and the folders, with hashes; {@code progress} may be null. */
    public static List<Place> list(HubSettings hub, List<Path> folders, Progress progress) {
        List<Place> places = new ArrayList<>();
        places.add(new Place(hub.cache(), true, List.of(), null));
        ModelFolders.expand(folders).forEach(folder -> places.add(new Place(folder, false, List.of(), null)));
        return describe(places, hub, true, progress);
    }

    /** The model folders' entries without hashes (instant: headers only), as the dialogs' choosers need them. */
    public static List<Place> folders(List<Path> folders, HubSettings hub) {
        List<Place> places = new ArrayList<>();
        ModelFolders.expand(folders).forEach(folder -> places.add(new Place(folder, false, List.of(), null)));
        return describe(places, hub, false, null);
    }

    private record Found(String name, Path path) {
    }

    private static List<Place> describe(List<Place> places, HubSettings hub, boolean hashes, Progress progress) {
        List<List<Found>> found = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int count = 0;
        for (Place place : places) {
            List<Found> entries = List.of();
            String problem = null;
            try {
                entries = place.hubCache() ? snapshots(new HubCache(place.folder())) : entries(place.folder());
            } catch (DiffijException e) {
                problem = e.getMessage();
            }
            found.add(entries);
            problems.add(problem);
            count += entries.size();
        }
        List<Place> described = new ArrayList<>();
        int index = 0;
        for (int i = 0; i < places.size(); i++) {
            List<Entry> entries = new ArrayList<>();
            for (Found entry : found.get(i)) {
                if (progress != null) {
                    progress.describing(index, count, entry.name());
                }
                index++;
                entries.add(entry(entry, hub, hashes));
            }
            described.add(new Place(places.get(i).folder(), places.get(i).hubCache(), List.copyOf(entries),
                    problems.get(i)));
        }
        return described;
    }

    /** One entry per branch or tag of each cached repo; a repo without refs lists its snapshots by commit. */
    private static List<Found> snapshots(HubCache cache) {
        List<Found> found = new ArrayList<>();
        for (HubCache.CachedRepo repo : cache.repos()) {
            for (String ref : repo.refs()) {
                RepoReference reference = new RepoReference(repo.repo(), ref, "");
                cache.find(reference).ifPresent(snapshot -> found.add(new Found(repo.repo()
                        + (ref.equals(RepoReference.DEFAULT_REVISION) ? "" : "@" + ref), snapshot)));
            }
            if (repo.refs().isEmpty()) {
                repo.snapshots().forEach(s -> found.add(new Found(repo.repo() + "@" + s.getFileName(), s)));
            }
        }
        return found;
    }

    /** A model folder's subfolders and weight files, by name. */
    private static List<Found> entries(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new DiffijException(folder + ": no such folder; check the model folders given");
        }
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.sorted().filter(entry -> Files.isDirectory(entry) || WEIGHT_SUFFIXES.stream()
                    .anyMatch(entry.getFileName().toString()::endsWith))
                    .map(entry -> new Found(entry.getFileName().toString(), entry)).toList();
        } catch (IOException e) {
            throw new DiffijException(folder + ": cannot be listed (" + e.getMessage() + ")", e);
        }
    }

    private static Entry entry(Found found, HubSettings hub, boolean hashes) {
        Path path = found.path();
        String kind;
        String dtypes = "";
        long parameters = 0;
        try {
            ModelSummary summary = ModelSummary.of(path);
            kind = summary.kind();
            parameters = summary.parameters();
            Map<DType, Integer> counts = new TreeMap<>();
            summary.parts().forEach(p -> p.dtypes().forEach((d, n) -> counts.merge(d, n, Integer::sum)));
            dtypes = counts.keySet().stream().map(String::valueOf).collect(Collectors.joining(","));
        } catch (DiffijException e) {
            kind = "not a model Diffij reads (" + e.getMessage() + ")";
        }
        return new Entry(found.name(), path, bytes(path), hashes ? shortHash(path) : "-", dtypes, parameters, kind,
                PipelineGaps.describe(path, hub));
    }

    /** The first 10 hex digits of the model's SHA-256; "-" for what holds no weights to hash. */
    private static String shortHash(Path path) {
        try {
            return ModelHash.of(path).substring(0, 10);
        } catch (DiffijException e) {
            return "-";
        }
    }

    /** The bytes of a file or of the files under a folder, through the cache's symlinks (-1: unreadable). */
    private static long bytes(Path path) {
        try (Stream<Path> walk = Files.walk(path)) {
            long total = 0;
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                total += Files.size(file);
            }
            return total;
        } catch (IOException e) {
            return -1;
        }
    }
}
