package org.diffij.training;

import com.google.gson.Gson;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.diffij.schedulers.PredictionType;

/**
 * What a trained file records about the run that made it: our own keys ({@link #metadata()}, the
 * whole request among them) and the facts other tools' formats ask for (kohya's {@code ss_*} and
 * ModelSpec keys, A1111's embedding fields).
 *
 * @param model         the base model's file or folder
 * @param modelHash     {@link org.diffij.io.ModelHash} of the model (A1111's SHA-256 for a single file)
 * @param family        the base model's family
 * @param prediction    the target trained on
 * @param step          optimiser steps done when the file is written
 * @param totalSteps    optimiser steps of the whole run
 * @param epoch         the epoch being trained (1-based)
 * @param data          the training images
 * @param startedAt     when the run started, seconds since the epoch
 * @param version       the software version
 * @param gradientCheckpointing whether the run recomputed activations (what {@code auto} decided)
 */
public record TrainingProvenance(TrainingRequest request, Path model, String modelHash, Family family,
        PredictionType prediction, long step, long totalSteps, int epoch, TrainingData data, double startedAt,
        String version, boolean gradientCheckpointing) {

    /** The base model families, with the names kohya and Stability AI's ModelSpec give them. */
    public enum Family {
        SD1("sd_v1", "stable-diffusion-v1"),
        SD2("sd_v2", "stable-diffusion-v2-512"),
        SD2_V("sd_v2_v", "stable-diffusion-v2-768-v"),
        SDXL("sdxl_base_v1-0", "stable-diffusion-xl-v1-base");

        /** kohya's {@code ss_base_model_version}. */
        public final String kohyaVersion;
        /** ModelSpec's architecture of the base model (an adapter adds {@code /lora}). */
        public final String modelSpecArchitecture;

        Family(String kohyaVersion, String modelSpecArchitecture) {
            this.kohyaVersion = kohyaVersion;
            this.modelSpecArchitecture = modelSpecArchitecture;
        }

        /** SD 2.x is told by its 1024-wide OpenCLIP text encoder; its 768-v variant by the v target. */
        public static Family of(boolean xl, int textWidth, PredictionType prediction) {
            if (xl) {
                return SDXL;
            }
            if (textWidth == 1024) {
                return prediction == PredictionType.V_PREDICTION ? SD2_V : SD2;
            }
            return SD1;
        }
    }

    /** The ModelSpec implementation kohya names for SDXL adapters and embeddings: Stability AI's. */
    public static final String STABILITY_IMPLEMENTATION = "https://github.com/Stability-AI/generative-models";

    /**
     * Stability AI's ModelSpec keys for an adapter ({@code kind} {@code lora} or
     * {@code textual-inversion}) as kohya's {@code sai_model_spec} writes them.
     */
    public Map<String, String> modelSpec(String kind, String implementation, String title) {
        int resolution = request.dataOptions().resolution();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("modelspec.sai_model_spec", "1.0.0");
        m.put("modelspec.architecture", family.modelSpecArchitecture + "/" + kind);
        m.put("modelspec.implementation", implementation);
        m.put("modelspec.title", title);
        m.put("modelspec.resolution", resolution + "x" + resolution);
        m.put("modelspec.prediction_type", prediction == PredictionType.V_PREDICTION ? "v" : "epsilon");
        // ISO-8601 to the second, always with seconds (LocalDateTime.toString drops ":00").
        m.put("modelspec.date", DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(LocalDateTime.now()
                .truncatedTo(ChronoUnit.SECONDS)));
        return m;
    }

    /**
     * Our own keys: the request as macro options, the model hash, the steps done, the version, and
     * per training image ({@code diffij.samples}, JSON) its name, caption, repeats, the SHA-256 of
     * the pixels trained on, whether a loss mask restricted it and, for in-memory samples, where it
     * was cut from.
     */
    public Map<String, String> metadata() {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("diffij.training_request", request.toMacroOptions());
        metadata.put("diffij.model_hash", modelHash);
        metadata.put("diffij.steps", Long.toString(step));
        metadata.put("diffij.version", version);
        List<Map<String, Object>> samples = new ArrayList<>();
        for (TrainingData.Item item : data.items()) {
            Map<String, Object> sample = new LinkedHashMap<>();
            sample.put("name", data.name(item));
            sample.put("caption", item.caption());
            sample.put("repeats", item.repeats());
            sample.put("sha256", item.pixelHash());
            sample.put("masked", item.masked());
            if (item.sample() != null) {
                sample.put("source", item.sample().source());
                sample.put("geometry", item.sample().geometry());
            }
            samples.add(sample);
        }
        metadata.put("diffij.samples", new Gson().toJson(samples));
        return metadata;
    }

    /** The model's name as A1111 and kohya show it: the file or folder name. */
    public String modelName() {
        return model.getFileName().toString();
    }

    /**
     * kohya's {@code ss_tag_frequency}: per image folder (named as kohya names it, e.g.
     * {@code 10_sks dog}), how many captions carry each comma-separated tag.
     */
    public Map<String, Map<String, Integer>> tagFrequency() {
        Map<String, Map<String, Integer>> frequency = new TreeMap<>();
        for (TrainingData.Item item : data.items()) {
            Map<String, Integer> tags = frequency.computeIfAbsent(item.group(), k -> new TreeMap<>());
            for (String tag : item.caption().split(",")) {
                if (!tag.isBlank()) {
                    tags.merge(tag.strip(), 1, Integer::sum);
                }
            }
        }
        return frequency;
    }

    /** kohya's {@code ss_dataset_dirs}: per image folder its repeat count and number of images. */
    public Map<String, Map<String, Integer>> datasetDirs() {
        Map<String, Map<String, Integer>> dirs = new TreeMap<>();
        for (TrainingData.Item item : data.items()) {
            Map<String, Integer> dir = dirs.computeIfAbsent(item.group(), k -> new LinkedHashMap<>());
            dir.put("n_repeats", item.repeats());
            dir.merge("img_count", 1, Integer::sum);
        }
        return dirs;
    }
}
