package org.diffij.hub;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.diffij.DiffijException;
import org.diffij.io.Json;
import org.diffij.io.WeightSet;

/**
 * What a model still lacks before a Stable Diffusion pipeline generates with it, as {@code models list}
 * shows it: for a diffusers folder (or hub snapshot) the components, configs, tokenizer files and weights
 * that are not there (a config-only pull lacks the weights but serves as {@code --config}); for a
 * single-file checkpoint the weights it lacks and what its configs lack ({@link SingleFileConfigs}): those
 * of its architecture's repo in the hub cache, else Diffij's built-in configs, which lack only a cached CLIP
 * vocabulary, or, for a checkpoint of other sizes than the public model's, the repo's configs to pull. Reads
 * file names and headers only.
 */
public final class PipelineGaps {

    /** What {@link #describe} says of a model that lacks nothing. */
    public static final String COMPLETE = "complete";
    /** What {@link #describe} says of what is no pipeline (a LoRA, a VAE folder...). */
    public static final String NOT_A_PIPELINE = "-";

    private static final List<String> WEIGHTED = List.of("unet", "vae", "text_encoder", "text_encoder_2");
    private static final List<String> REQUIRED = List.of("unet", "vae", "text_encoder", "tokenizer", "scheduler");
    private static final List<String> TOKENIZER_FILES = List.of("vocab.json", "merges.txt");

    private PipelineGaps() {
    }

    /** {@value #COMPLETE}, {@value #NOT_A_PIPELINE}, or what is missing, separated by "; ". */
    public static String describe(Path model, HubSettings hub) {
        Optional<List<String>> gaps = Files.isDirectory(model) ? folderGaps(model, true) : checkpointGaps(model, hub);
        return gaps.map(list -> list.isEmpty() ? COMPLETE : String.join("; ", list)).orElse(NOT_A_PIPELINE);
    }

    /**
     * The gaps of a diffusers pipeline folder, none when it is no pipeline folder; with {@code weights}
     * false only configs and tokenizers count (a single file's config folder).
     */
    private static Optional<List<String>> folderGaps(Path folder, boolean weights) {
        Path indexFile = folder.resolve("model_index.json");
        if (!Files.isRegularFile(indexFile)) {
            return Optional.empty();
        }
        JsonObject index;
        try {
            index = Json.readObject(indexFile);
        } catch (DiffijException e) {
            return Optional.of(List.of("model_index.json unreadable"));
        }
        List<String> components = new ArrayList<>(REQUIRED);
        for (String xl : List.of("text_encoder_2", "tokenizer_2")) {
            if (named(index, xl)) {
                components.add(xl);
            }
        }
        List<String> gaps = new ArrayList<>();
        List<String> noWeights = new ArrayList<>();
        long weighted = components.stream().filter(WEIGHTED::contains).count();
        for (String name : components) {
            Path component = folder.resolve(name);
            if (!named(index, name)) {
                gaps.add("model_index.json names no " + name);
            } else if (!Files.isDirectory(component)) {
                gaps.add("no " + name + "/");
            } else if (name.startsWith("tokenizer")) {
                List<String> lacking = TOKENIZER_FILES.stream().filter(f -> !Files.isRegularFile(component.resolve(f)))
                        .toList();
                if (!lacking.isEmpty()) {
                    gaps.add(name + "/ lacks " + String.join(", ", lacking));
                }
            } else if (name.equals("scheduler")) {
                if (!Files.isRegularFile(component.resolve("scheduler_config.json"))) {
                    gaps.add("no scheduler/scheduler_config.json");
                }
            } else if (!Files.isRegularFile(component.resolve("config.json"))) {
                gaps.add("no " + name + "/config.json");
            } else if (weights && WEIGHTED.contains(name) && WeightSet.weightFile(component) == null) {
                noWeights.add(name);
            }
        }
        if (!noWeights.isEmpty()) {
            gaps.add(String.join(", ", noWeights) + " weights missing" + (gaps.isEmpty() && noWeights.size() == weighted
                    ? " (configs only: usable as --config of a single-file checkpoint)" : ""));
        }
        return Optional.of(gaps);
    }

    /** A component model_index.json declares with a class ({@code [library, class]}, not {@code [null, null]}). */
    private static boolean named(JsonObject index, String name) {
        JsonElement spec = index.get(name);
        return spec != null && spec.isJsonArray() && spec.getAsJsonArray().size() == 2
                && !spec.getAsJsonArray().get(1).isJsonNull();
    }

    private static Optional<List<String>> checkpointGaps(Path file, HubSettings hub) {
        SingleFileConfigs.Architecture architecture;
        Set<String> names;
        try {
            architecture = SingleFileConfigs.detect(file);
            try (WeightSet weights = WeightSet.open(file)) {
                names = weights.names();
            }
        } catch (DiffijException e) {
            // A LoRA, embedding or unreadable file: its kind column says what it is.
            return Optional.empty();
        }
        List<String> gaps = new ArrayList<>();
        if (names.stream().noneMatch(n -> n.startsWith("first_stage_model."))) {
            gaps.add("vae weights missing (first_stage_model.*)");
        }
        if (names.stream().noneMatch(n -> n.startsWith("cond_stage_model.") || n.startsWith("conditioner."))) {
            gaps.add("text encoder weights missing");
        }
        Optional<Path> configs = SingleFileConfigs.cachedConfigs(architecture, hub);
        if (configs.isPresent()) {
            folderGaps(configs.get(), false).ifPresent(
                    lacking -> lacking.forEach(gap -> gaps.add("configs in " + configs.get() + ": " + gap)));
        } else if (SingleFileConfigs.builtInMismatch(file, architecture).isPresent()) {
            gaps.add("needs configs: diffij models pull " + architecture.repos().get(0)
                    + " --include \"*.json\" --include \"*.txt\", or --config DIR");
        } else if (ClipVocabulary.cached(hub).isEmpty()) {
            gaps.add("configs built in; needs the CLIP vocabulary (pulled on first use when online): "
                    + ClipVocabulary.PULL_COMMAND);
        }
        return Optional.of(gaps);
    }
}
