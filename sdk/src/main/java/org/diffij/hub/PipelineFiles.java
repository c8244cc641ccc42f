package org.diffij.hub;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Chooses the files of a hub repo that a pipeline needs, as diffusers does when it downloads a
 * pipeline: the configs, tokenizers and schedulers of the components {@code model_index.json} names,
 * and per component folder one set of weights: safetensors over torch pickles ({@code .bin}), the
 * asked variant ({@code diffusion_pytorch_model.fp16.safetensors}) over the plain files. Single-file
 * checkpoints at the root of a pipeline repo, other frameworks' weights (ONNX, Flax, TensorFlow),
 * pictures and the safety checker (Diffij runs none) are left out.
 */
public final class PipelineFiles {

    private static final Set<String> CONFIG_SUFFIXES = Set.of(".json", ".txt", ".model");
    // name[.variant][-00001-of-00002].safetensors or .bin, and the index of a sharded set.
    private static final Pattern WEIGHTS = Pattern.compile(
            "(?<stem>[^/.]+)(?:\\.(?<variant>[^/.]+?))?(?:-\\d{5}-of-\\d{5})?\\.(?<format>safetensors|bin)(?:\\.index\\.json)?");
    private static final Set<String> SKIPPED_COMPONENTS = Set.of("safety_checker");

    private PipelineFiles() {
    }

    /**
     * @param files      the repo's files (paths inside it)
     * @param modelIndex the repo's {@code model_index.json}, or null when it is not a pipeline (a single
     *                   model, LoRA or adapter repo: then every folder counts)
     * @param variant    the weights variant to prefer ({@code fp16}), or null
     * @param include    glob patterns as huggingface_hub's {@code allow_patterns}; when given they alone decide
     * @param under      only files in this subfolder (or this one file), or empty
     */
    public static List<String> select(List<String> files, JsonObject modelIndex, String variant, List<String> include,
            String under) {
        List<String> inside = files.stream().filter(f -> under.isEmpty() || f.equals(under)
                || f.startsWith(under + "/")).toList();
        if (!include.isEmpty()) {
            List<Pattern> patterns = include.stream().map(PipelineFiles::glob).toList();
            return inside.stream().filter(f -> patterns.stream().anyMatch(p -> p.matcher(f).matches())).toList();
        }
        Map<String, List<String>> weightsByFolder = new LinkedHashMap<>();
        List<String> chosen = new ArrayList<>();
        for (String file : inside) {
            String folder = file.contains("/") ? file.substring(0, file.lastIndexOf('/')) : "";
            if (modelIndex != null && !needed(folder, file, modelIndex)) {
                continue;
            }
            String name = file.substring(file.lastIndexOf('/') + 1);
            if (WEIGHTS.matcher(name).matches()) {
                if (modelIndex == null || !folder.isEmpty()) {
                    weightsByFolder.computeIfAbsent(folder, k -> new ArrayList<>()).add(file);
                }
            } else if (CONFIG_SUFFIXES.stream().anyMatch(name::endsWith)) {
                chosen.add(file);
            }
        }
        weightsByFolder.values().forEach(weights -> chosen.addAll(preferred(weights, variant)));
        return chosen;
    }

    /** Whether a pipeline needs this file: model_index.json itself, or a file of a component it names. */
    private static boolean needed(String folder, String file, JsonObject modelIndex) {
        if (folder.isEmpty()) {
            return file.equals("model_index.json");
        }
        String component = folder.contains("/") ? folder.substring(0, folder.indexOf('/')) : folder;
        JsonElement entry = modelIndex.get(component);
        return !SKIPPED_COMPONENTS.contains(component) && entry != null && entry.isJsonArray()
                && entry.getAsJsonArray().size() == 2 && !entry.getAsJsonArray().get(0).isJsonNull();
    }

    /** One set of a folder's weights: safetensors if any, then the variant if asked and present, else plain files. */
    private static List<String> preferred(List<String> weights, String variant) {
        String format = weights.stream().anyMatch(f -> format(f).equals("safetensors")) ? "safetensors" : "bin";
        List<String> inFormat = weights.stream().filter(f -> format(f).equals(format)).toList();
        List<String> asked = variant == null ? List.of()
                : inFormat.stream().filter(f -> variant.equals(variantOf(f))).toList();
        if (!asked.isEmpty()) {
            return asked;
        }
        List<String> plain = inFormat.stream().filter(f -> variantOf(f) == null).toList();
        return plain.isEmpty() ? inFormat : plain;
    }

    private static String format(String file) {
        return matcher(file).group("format");
    }

    private static String variantOf(String file) {
        return matcher(file).group("variant");
    }

    private static Matcher matcher(String file) {
        Matcher m = WEIGHTS.matcher(file.substring(file.lastIndexOf('/') + 1));
        if (!m.matches()) {
            throw new IllegalArgumentException(file + " is not a weights file");
        }
        return m;
    }

    /** fnmatch as huggingface_hub applies it: '*' crosses folders, a pattern ending in '/' means the folder's files. */
    private static Pattern glob(String pattern) {
        String full = pattern.endsWith("/") ? pattern + "*" : pattern;
        StringBuilder regex = new StringBuilder();
        for (char c : full.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }
}
