package org.diffij.plugin;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.diffij.hub.HubSettings;
import org.diffij.hub.ModelListing;

/**
 * What the model folders of the Settings offer the dialogs' choosers, by the names that prompts,
 * adapter lists and controls call them (a file without its extension, a folder by its name), in the
 * order names are looked up: the first folder's first. Kinds are read from headers, as Models... does;
 * VAEs are what A1111's {@code models/VAE} and ComfyUI's {@code vae} folders hold (a standalone VAE file's
 * tensor names say nothing its kind could be told by), and diffusers VAE folders anywhere.
 */
record ModelChoices(List<String> loras, List<String> embeddings, List<String> controlNets, List<String> vaes) {

    ModelChoices {
        loras = List.copyOf(loras);
        embeddings = List.copyOf(embeddings);
        controlNets = List.copyOf(controlNets);
        vaes = List.copyOf(vaes);
    }

    /** The choices in these folders (A1111 and ComfyUI installations standing for their model folders). */
    static ModelChoices in(List<Path> folders) {
        List<String> loras = new ArrayList<>();
        List<String> embeddings = new ArrayList<>();
        List<String> controlNets = new ArrayList<>();
        List<String> vaes = new ArrayList<>();
        for (ModelListing.Place place : ModelListing.folders(folders, HubSettings.fromEnvironment())) {
            for (ModelListing.Entry entry : place.entries()) {
                String kind = entry.kind();
                List<String> list = kind.startsWith("LoRA") ? loras : kind.startsWith("textual inversion") ? embeddings
                        : kind.startsWith("ControlNet") || kind.equals("diffusers model ControlNetModel") ? controlNets
                        : isVaeFolder(place.folder()) && !kind.startsWith("not a model")
                                || kind.equals("diffusers model AutoencoderKL") ? vaes
                        : null;
                String name = nameOf(entry.name(), kind);
                if (list != null && !list.contains(name)) {
                    list.add(name);
                }
            }
        }
        return new ModelChoices(loras, embeddings, controlNets, vaes);
    }

    /** A1111's {@code models/VAE}, ComfyUI's {@code models/vae} (and the {@code vae} paths of its extra_model_paths.yaml). */
    private static boolean isVaeFolder(Path folder) {
        return folder.getFileName() != null && folder.getFileName().toString().equalsIgnoreCase("vae");
    }

    /** A file's name without its extension (how {@code <lora:name:1>} finds it); a folder's name as it is. */
    private static String nameOf(String entry, String kind) {
        int dot = entry.lastIndexOf('.');
        return kind.startsWith("diffusers") || dot <= 0 ? entry : entry.substring(0, dot);
    }
}
