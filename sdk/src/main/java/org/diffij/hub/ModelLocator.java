package org.diffij.hub;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.diffij.DiffijException;
import org.diffij.io.InputFiles;

/**
 * Finds a model, LoRA, embedding, hypernetwork, ControlNet, IP-Adapter or VAE by the name a user
 * gives, in this order: an existing path; a name inside the model folders (A1111 and ComfyUI
 * installations count as their model folders, see {@link ModelFolders}); a model built into Diffij
 * ({@link BuiltInModels}: {@code demo}); a hub repo id
 * {@code org/name[@revision][:path]} in the hub cache. One resolver serves the command line, the
 * request and macro keys, the Fiji dialogs and {@code <lora:...>} tags.
 */
public final class ModelLocator implements Function<String, Path> {

    private static final List<String> NAME_SUFFIXES = List.of("", ".safetensors", ".pt", ".ckpt", ".bin", ".pth");

    private final List<Path> folders;
    private final List<Path> searched;
    private final HubSettings hub;

    private ModelLocator(List<Path> folders, HubSettings hub) {
        this.folders = List.copyOf(folders);
        this.searched = ModelFolders.expand(folders);
        this.hub = hub;
    }

    /** Looks names up in these folders (and the installations among them) and in the hub's cache. */
    public static ModelLocator of(List<Path> folders, HubSettings hub) {
        return new ModelLocator(folders, hub);
    }

    /** The folders searched by name, installations expanded into their model folders. */
    public List<Path> searchedFolders() {
        return searched;
    }

    @Override
    public Path apply(String name) {
        Optional<Path> path = existing(Path.of(""), name);
        if (path.isPresent()) {
            return path.get();
        }
        Optional<Path> inFolder = inFolders(name);
        if (inFolder.isPresent()) {
            return inFolder.get();
        }
        Optional<Path> builtIn = BuiltInModels.find(name);
        if (builtIn.isPresent()) {
            return builtIn.get();
        }
        Optional<RepoReference> reference = RepoReference.parse(name);
        if (reference.isPresent()) {
            HubCache cache = new HubCache(hub.cache());
            Optional<Path> cached = cache.find(reference.get());
            if (cached.isPresent()) {
                return cached.get();
            }
            RepoReference ref = reference.get();
            Optional<String> commit = cache.commit(ref);
            if (!ref.path().isEmpty() && commit.isPresent() && cache.knownMissing(ref, commit.get(), ref.path())) {
                throw new DiffijException("'" + name + "' does not exist: the hub answered that " + ref.repo()
                        + " has no " + ref.path() + " at commit " + commit.get() + " (" + cache.missingMarker(ref,
                        commit.get(), ref.path()) + "); check the name on the repo's page");
            }
            throw new DiffijException("'" + name + "' not found: no such path" + (folders.isEmpty() ? ""
                    : ", not in " + folders) + ", and not in the hub cache " + hub.cache() + "; "
                    + (hub.offline() ? "HF_HUB_OFFLINE=1 is set, so when online run: diffij models pull "
                    : "download it first: diffij models pull ") + reference.get().repo()
                    + (reference.get().revision().equals(RepoReference.DEFAULT_REVISION) ? ""
                    : "@" + reference.get().revision()));
        }
        throw new DiffijException("'" + name + "' not found" + (folders.isEmpty() ? "" : " in " + folders)
                + ": give a diffusers folder, a .safetensors file, a torch pickle, a hub repo id org/name, or "
                + BuiltInModels.DEMO + " for Diffij's built-in demo model");
    }

    private Optional<Path> inFolders(String name) {
        for (Path folder : searched) {
            for (String suffix : NAME_SUFFIXES) {
                Optional<Path> candidate = existing(folder, name + suffix);
                if (candidate.isPresent()) {
                    return candidate;
                }
            }
        }
        return Optional.empty();
    }

    /** The file or folder of that name in the folder, if there is one; a name no path can have is none. */
    private static Optional<Path> existing(Path folder, String name) {
        try {
            Path candidate = folder.resolve(name);
            if (!Files.exists(candidate)) {
                return Optional.empty();
            }
            // A FIFO or device named as a model would hang the hashing: regular files and folders only.
            InputFiles.requireFileOrFolder(candidate);
            return Optional.of(candidate);
        } catch (InvalidPathException e) {
            // Windows refuses ':' in paths, which repo references use for their subfolder.
            return Optional.empty();
        }
    }
}
