package org.diffij.plugin;

import ij.Prefs;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.diffij.DiffijVersion;
import org.diffij.engine.DiffijEngine;
import org.diffij.engine.EngineSettings;
import org.diffij.pipelines.Generator;

/**
 * The plugin's settings, kept in ImageJ's preferences ({@code IJ_Prefs.txt}): the model folders that
 * model names are looked up in, the diffusers folder giving single-file checkpoints their configs, and
 * the engine settings (device, threads, memory budget) the engine starts with. The engine takes
 * them once: changing device or threads later needs a restart.
 *
 * @param modelFolders     folders holding model folders and checkpoints, searched in order
 * @param singleFileConfig a diffusers folder for single-file checkpoints, or empty
 * @param device           {@code auto}, {@code cpu}, {@code gpu} or {@code gpu:N}
 * @param threads          intra-op threads, 0 = libtorch's default
 * @param memoryBudget     the model cache size such as {@code 8g}, empty = half the physical memory
 */
public record DiffusionSettings(List<Path> modelFolders, String singleFileConfig, String device, int threads,
        String memoryBudget) {

    static final String PREFIX = "diffij.";

    public DiffusionSettings {
        modelFolders = List.copyOf(modelFolders);
        singleFileConfig = singleFileConfig == null ? "" : singleFileConfig.strip();
        memoryBudget = memoryBudget == null ? "" : memoryBudget.strip();
    }

    public static DiffusionSettings load() {
        return new DiffusionSettings(folders(Prefs.get(PREFIX + "models", "")), Prefs.get(PREFIX + "config", ""),
                Prefs.get(PREFIX + "device", "auto"), (int) Prefs.get(PREFIX + "threads", 0),
                Prefs.get(PREFIX + "budget", ""));
    }

    /** Stores the settings in ImageJ's preferences (written to disk when ImageJ quits, or now with {@code savePreferences}). */
    public void save() {
        Prefs.set(PREFIX + "models", modelFoldersText());
        Prefs.set(PREFIX + "config", singleFileConfig);
        Prefs.set(PREFIX + "device", device);
        Prefs.set(PREFIX + "threads", threads);
        Prefs.set(PREFIX + "budget", memoryBudget);
    }

    /** The folders as the settings dialog shows them: separated by the platform's path separator. */
    public String modelFoldersText() {
        return String.join(File.pathSeparator, modelFolders.stream().map(Path::toString).toList());
    }

    static List<Path> folders(String text) {
        List<Path> folders = new ArrayList<>();
        for (String part : text.split(File.pathSeparator)) {
            if (!part.isBlank()) {
                folders.add(Path.of(part.strip()));
            }
        }
        return folders;
    }

    /** Device, threads and model cache budget as the engine takes them. */
    public EngineSettings engineSettings() {
        return EngineSettings.of(device, threads, memoryBudget);
    }

    /**
     * Makes these the settings the engine starts with. Returns false when it already runs with other
     * settings, so that they take effect only after a restart.
     */
    public boolean applyToEngine() {
        return DiffijEngine.configure(engineSettings());
    }

    /**
     * Model names as users give them: an existing path (absolute, or relative to the working folder)
     * is used as is; otherwise a folder or file of that name (with or without {@code .safetensors} or a
     * torch-pickle suffix) in one of the model folders (an A1111 or ComfyUI installation standing for its
     * model folders); otherwise a hub repo id {@code org/name[@revision][:path]} in the Hugging Face cache.
     * LoRAs, embeddings and ControlNets are found the same way.
     */
    public Function<String, Path> modelResolver() {
        return Generator.inFolders(modelFolders);
    }

    public Generator generator() {
        return new Generator(modelResolver(), singleFileConfig.isEmpty() ? null : Path.of(singleFileConfig),
                DiffijVersion.label()).withEmbeddingFolders(modelFolders);
    }
}
