package org.diffij.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.diffij.DiffijException;

/**
 * A diffusers pipeline folder ({@code model_index.json} with {@code unet/}, {@code vae/}, ...) or a
 * single model folder ({@code config.json} beside its weights, e.g. a ControlNet).
 */
public final class ModelFolder {

    /** One component: its folder, library class name, config and weight file (null for tokenizers etc.). */
    public record Component(String name, Path folder, String className, JsonObject config, Path weights) {
    }

    private final Path root;
    private final String pipelineClass;
    private final Map<String, Component> components;

    private ModelFolder(Path root, String pipelineClass, Map<String, Component> components) {
        this.root = root;
        this.pipelineClass = pipelineClass;
        this.components = components;
    }

    public static boolean isModelFolder(Path path) {
        return Files.isRegularFile(path.resolve("model_index.json")) || Files.isRegularFile(path.resolve("config.json"));
    }

    public static ModelFolder open(Path root) {
        if (!Files.isDirectory(root)) {
            throw new DiffijException(root + ": no such folder");
        }
        Path index = root.resolve("model_index.json");
        Map<String, Component> components = new LinkedHashMap<>();
        if (Files.isRegularFile(index)) {
            JsonObject json = Json.readObject(index);
            for (Map.Entry<String, JsonElement> entry : json.entrySet()) {
                if (entry.getKey().startsWith("_") || !entry.getValue().isJsonArray()) {
                    continue;
                }
                JsonArray spec = entry.getValue().getAsJsonArray();
                if (spec.size() != 2 || spec.get(1).isJsonNull()) {
                    continue;
                }
                Path folder = root.resolve(entry.getKey());
                if (!Files.isDirectory(folder)) {
                    throw new DiffijException(root + ": model_index.json names component '" + entry.getKey()
                            + "' but the folder " + entry.getKey() + "/ is missing");
                }
                if (!spec.get(1).isJsonPrimitive() || !spec.get(1).getAsJsonPrimitive().isString()) {
                    throw new DiffijException(index + ": component '" + entry.getKey() + "' should be [library, "
                            + "class name] (two strings), found " + spec);
                }
                components.put(entry.getKey(), component(entry.getKey(), folder, spec.get(1).getAsString()));
            }
            return new ModelFolder(root, stringOr(json, "_class_name", "unknown pipeline"), components);
        }
        if (Files.isRegularFile(root.resolve("config.json"))) {
            Component single = component(root.getFileName().toString(), root, null);
            components.put(single.name(), single);
            return new ModelFolder(root, null, components);
        }
        throw new DiffijException(root + ": not a model folder (it has neither model_index.json nor config.json)");
    }

    private static Component component(String name, Path folder, String declaredClass) {
        JsonObject config = null;
        for (String file : new String[] {"config.json", "scheduler_config.json", "tokenizer_config.json"}) {
            if (Files.isRegularFile(folder.resolve(file))) {
                config = Json.readObject(folder.resolve(file));
                break;
            }
        }
        String className = declaredClass != null ? declaredClass
                : config != null ? stringOr(config, "_class_name", stringOr(config, "architectures", "unknown"))
                : "unknown";
        return new Component(name, folder, className, config, WeightSet.weightFile(folder));
    }

    private static String stringOr(JsonObject json, String key, String fallback) {
        JsonElement value = json.get(key);
        if (value == null || value.isJsonNull()) {
            return fallback;
        }
        if (value.isJsonArray() && value.getAsJsonArray().size() > 0) {
            value = value.getAsJsonArray().get(0);
        }
        return value.isJsonPrimitive() ? value.getAsString() : fallback;
    }

    public Path root() {
        return root;
    }

    /** The pipeline class of {@code model_index.json}, empty for a single model folder. */
    public Optional<String> pipelineClass() {
        return Optional.ofNullable(pipelineClass);
    }

    public Map<String, Component> components() {
        return components;
    }

    public Component component(String name) {
        Component c = components.get(name);
        if (c == null) {
            throw new DiffijException(root + ": has no component '" + name + "' (it has " + components.keySet() + ")");
        }
        return c;
    }
}
