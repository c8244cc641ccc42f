package org.diffij.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.diffij.DiffijException;

/**
 * The model folders of A1111 (stable-diffusion-webui) and ComfyUI installations, so that a user keeps
 * one collection for all tools: a configured folder that is such an installation's root stands for
 * its model folders, and a ComfyUI root's {@code extra_model_paths.yaml} adds the folders it lists.
 */
public final class ModelFolders {

    /** Where A1111 keeps checkpoints, LoRAs, LyCORIS, embeddings, hypernetworks, ControlNets and VAEs. */
    static final List<String> A1111 = List.of("models/Stable-diffusion", "models/Lora", "models/LyCORIS",
            "embeddings", "models/hypernetworks", "models/ControlNet", "models/VAE");

    /** Where ComfyUI keeps them (its extra_model_paths.yaml uses the same kinds as keys). */
    static final List<String> COMFYUI_KINDS = List.of("checkpoints", "loras", "embeddings", "hypernetworks",
            "controlnet", "ipadapter", "clip_vision", "vae");

    private ModelFolders() {
    }

    /**
     * The folders searched for names: each configured folder, where it is an installation root
     * replaced by the installation's model folders that exist (A1111: {@code models/Stable-diffusion}
     * present; ComfyUI: {@code models/checkpoints} present).
     */
    public static List<Path> expand(List<Path> configured) {
        Set<Path> folders = new LinkedHashSet<>();
        for (Path folder : configured) {
            if (Files.isDirectory(folder.resolve("models/Stable-diffusion"))) {
                addExisting(folders, folder, A1111);
            } else if (Files.isDirectory(folder.resolve("models/checkpoints"))) {
                addExisting(folders, folder, COMFYUI_KINDS.stream().map(kind -> "models/" + kind).toList());
                Path extra = folder.resolve("extra_model_paths.yaml");
                if (Files.isRegularFile(extra)) {
                    folders.addAll(extraModelPaths(extra));
                }
            } else {
                folders.add(folder);
            }
        }
        return List.copyOf(folders);
    }

    private static void addExisting(Set<Path> folders, Path root, List<String> relative) {
        for (String path : relative) {
            Path folder = root.resolve(path);
            if (Files.isDirectory(folder)) {
                folders.add(folder);
            }
        }
    }

    /**
     * The model folders a ComfyUI {@code extra_model_paths.yaml} lists: per section a {@code base_path}
     * (relative to the file's folder when not absolute) and, for each model kind, one folder or a
     * {@code |} block of folders, one a line, relative to the base path. Only this subset of YAML is read,
     * which is what ComfyUI's example file and its users write.
     */
    static List<Path> extraModelPaths(Path yaml) {
        List<String> lines;
        try {
            lines = Files.readAllLines(yaml, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DiffijException(yaml + ": cannot be read (" + e.getMessage() + ")", e);
        }
        List<Path> folders = new ArrayList<>();
        for (Map<String, List<String>> section : sections(lines)) {
            List<String> base = section.get("base_path");
            Path root = base == null || base.isEmpty() ? yaml.getParent()
                    : yaml.getParent().resolve(base.get(0)).normalize();
            for (String kind : COMFYUI_KINDS) {
                for (String relative : section.getOrDefault(kind, List.of())) {
                    Path folder = root.resolve(relative);
                    if (Files.isDirectory(folder)) {
                        folders.add(folder);
                    }
                }
            }
        }
        return folders;
    }

    /** Top-level keys are sections; indented {@code key: value} or {@code key: |} followed by deeper lines. */
    private static List<Map<String, List<String>>> sections(List<String> lines) {
        List<Map<String, List<String>>> sections = new ArrayList<>();
        Map<String, List<String>> section = null;
        String blockKey = null;
        int blockIndent = -1;
        for (String raw : lines) {
            String line = stripComment(raw);
            if (line.isBlank()) {
                continue;
            }
            int indent = line.length() - line.stripLeading().length();
            String text = line.strip();
            if (blockKey != null && indent > blockIndent) {
                section.get(blockKey).add(unquote(text));
                continue;
            }
            blockKey = null;
            if (indent == 0) {
                section = new LinkedHashMap<>();
                sections.add(section);
                continue;
            }
            int colon = text.indexOf(':');
            if (section == null || colon <= 0) {
                continue;
            }
            String key = text.substring(0, colon).strip();
            String value = text.substring(colon + 1).strip();
            List<String> values = new ArrayList<>();
            section.put(key, values);
            if (value.startsWith("|") || value.startsWith(">")) {
                blockKey = key;
                blockIndent = indent;
            } else if (!value.isEmpty()) {
                values.add(unquote(value));
            }
        }
        return sections;
    }

    private static String stripComment(String line) {
        int hash = line.indexOf(" #");
        String text = line.stripLeading().startsWith("#") ? "" : hash >= 0 ? line.substring(0, hash) : line;
        return text.stripTrailing();
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                || value.startsWith("'") && value.endsWith("'"))) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }
}
