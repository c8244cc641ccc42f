package org.diffij.hub;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.diffij.DiffijException;
import org.diffij.io.Json;

/**
 * The CLIP BPE vocabulary ({@code vocab.json}, {@code merges.txt}) that Diffij's built-in configs lack.
 * Every CLIP text encoder of SD 1.x, 2.x and XL (OpenAI's ViT-L and OpenCLIP's ViT-H and bigG) was trained
 * with the same 49,408-token vocabulary, so the files of any of them serve: they are looked for in the hub
 * cache, in the tokenizer folders of the architectures' own repos and in the CLIP repos, and when none is
 * there and the hub may be asked, {@value #PULLED} is pulled with only those two files, once.
 */
public final class ClipVocabulary {

    /** The number of tokens of CLIP's vocabulary (byte symbols, merges and the two special tokens). */
    public static final int SIZE = 49408;
    /** The repo pulled for the vocabulary when the cache has none. */
    public static final String PULLED = "openai/clip-vit-large-patch14";
    /** The command that puts the vocabulary into the cache. */
    public static final String PULL_COMMAND = "diffij models pull " + PULLED
            + " --include vocab.json --include merges.txt";

    private static final List<String> FILES = List.of("vocab.json", "merges.txt");
    private static final List<String> CLIP_REPOS = List.of(PULLED, "laion/CLIP-ViT-H-14-laion2B-s32B-b79K",
            "laion/CLIP-ViT-bigG-14-laion2B-39B-b160k");

    private ClipVocabulary() {
    }

    /** A cached folder holding a CLIP vocabulary of {@value #SIZE} tokens and its merges, if the cache has one. */
    public static Optional<Path> cached(HubSettings hub) {
        HubCache cache = new HubCache(hub.cache());
        for (String folder : candidates()) {
            Optional<Path> found = cache.find(RepoReference.require(folder)).filter(ClipVocabulary::isClipVocabulary);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    /**
     * The cached vocabulary, else (hub reachable) the one pulled now; a one-line error naming the command
     * to run when offline with none cached. {@code needs} says what the vocabulary is for.
     */
    public static Path require(HubSettings hub, String needs) {
        Optional<Path> cached = cached(hub);
        if (cached.isPresent()) {
            return cached.get();
        }
        if (hub.offline()) {
            throw new DiffijException(needs + " needs the CLIP vocabulary (vocab.json, merges.txt), which is not in "
                    + "the hub cache " + hub.cache() + " and HF_HUB_OFFLINE=1 is set: when online run "
                    + PULL_COMMAND + " (2 MB), or give --config DIR (a diffusers folder of the same architecture)");
        }
        Path pulled;
        try {
            pulled = new ModelPull(hub).pull(RepoReference.require(PULLED), new ModelPull.Options(null, FILES), null)
                    .path();
        } catch (DiffijException e) {
            throw new DiffijException(needs + " needs the CLIP vocabulary, which is not in the hub cache " + hub.cache()
                    + ", and pulling it failed (" + e.getMessage() + "); when the hub can be reached run "
                    + PULL_COMMAND + ", or give --config DIR (a diffusers folder of the same architecture)", e);
        }
        if (!isClipVocabulary(pulled)) {
            throw new DiffijException(PULLED + " as the hub " + hub.endpoint() + " serves it holds no CLIP vocabulary of "
                    + SIZE + " tokens with its merges.txt: give --config DIR (a diffusers folder of the same "
                    + "architecture)");
        }
        return pulled;
    }

    /**
     * The folders searched, as repo references: the CLIP repos and the tokenizer folders of every
     * architecture's repos.
     */
    private static List<String> candidates() {
        List<String> folders = new ArrayList<>(CLIP_REPOS);
        for (SingleFileConfigs.Architecture architecture : SingleFileConfigs.Architecture.values()) {
            for (String repo : architecture.repos()) {
                folders.add(repo + ":tokenizer");
                if (architecture.isXl()) {
                    folders.add(repo + ":tokenizer_2");
                }
            }
        }
        return folders;
    }

    /** Whether the folder holds {@code merges.txt} and a {@code vocab.json} of {@value #SIZE} tokens. */
    static boolean isClipVocabulary(Path folder) {
        if (!Files.isRegularFile(folder.resolve("merges.txt")) || !Files.isRegularFile(folder.resolve("vocab.json"))) {
            return false;
        }
        try {
            return Json.readObject(folder.resolve("vocab.json")).size() == SIZE;
        } catch (DiffijException unreadable) {
            // A broken or foreign vocab.json is passed over like a missing one: another cached copy may serve.
            return false;
        }
    }
}
