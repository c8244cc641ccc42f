package org.diffij.training;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.diffij.DiffijException;
import org.diffij.io.HostTensor;
import org.diffij.io.SafetensorsWriter;
import org.diffij.io.pickle.TorchPickleWriter;

/**
 * A trained textual-inversion embedding in the files other tools load, one vector set per text
 * encoder ({@code [vectors, width]}; SDXL: CLIP-L's, then CLIP-G's). {@code a1111}: A1111's
 * safetensors, {@code emb_params} (SDXL {@code clip_l} and {@code clip_g}), which A1111, ComfyUI and
 * Civitai read; {@code a1111_pt}: the {@code torch.save} dict A1111's own training writes
 * ({@code string_to_token}, {@code string_to_param}, {@code name}, {@code step}, {@code sd_checkpoint},
 * {@code sd_checkpoint_name}, and our provenance keys; SDXL just {@code clip_l} and {@code clip_g},
 * the only keys A1111's SDXL branch accepts); {@code diffusers}: {@code learned_embeds.safetensors}, {@code {token: vectors}}
 * as diffusers' textual_inversion scripts save it (SDXL: {@code learned_embeds_2.safetensors} for the
 * second encoder). In A1111 an embedding is called by its file name.
 */
final class EmbeddingFiles {

    static final String A1111 = "a1111";
    static final String A1111_PT = "a1111_pt";
    static final String DIFFUSERS = "diffusers";
    private static final String SAFETENSORS = ".safetensors";
    private static final String PT = ".pt";
    /** The token id A1111 records in {@code string_to_token}; A1111 ignores it when loading. */
    private static final int A1111_TOKEN_ID = 265;

    private EmbeddingFiles() {
    }

    /**
     * Where each format goes: the first to {@code output}; later ones beside it with the output's
     * name (which is what A1111 calls the embedding by): {@code <name>.safetensors}, {@code <name>.pt},
     * diffusers' as {@code <name>-diffusers/learned_embeds.safetensors}. SDXL's second diffusers file
     * is {@code learned_embeds_2.safetensors} there, or {@code <name>_2.safetensors} beside a first one.
     * One path per file, in format order.
     */
    static List<Path> files(Path output, List<String> formats, boolean xl) {
        List<Path> files = new ArrayList<>();
        for (String format : formats) {
            boolean first = files.isEmpty();
            switch (format) {
                case A1111 -> files.add(first ? OutputFiles.first(output, format, SAFETENSORS)
                        : Trainer.sibling(output, "", SAFETENSORS));
                case A1111_PT -> files.add(first ? OutputFiles.first(output, format, PT)
                        : Trainer.sibling(output, "", PT));
                case DIFFUSERS -> {
                    Path folder = Trainer.sibling(output, "-diffusers", "");
                    files.add(first ? OutputFiles.first(output, format, SAFETENSORS)
                            : folder.resolve("learned_embeds.safetensors"));
                    if (xl) {
                        files.add(first ? Trainer.sibling(output, "_2", SAFETENSORS)
                                : folder.resolve("learned_embeds_2.safetensors"));
                    }
                }
                default -> throw new DiffijException("embedding format '" + format + "' is not known; use " + A1111
                        + ", " + A1111_PT + " or " + DIFFUSERS);
            }
        }
        Set<Path> distinct = new HashSet<>();
        for (Path file : files) {
            if (!distinct.add(file.toAbsolutePath().normalize())) {
                throw new DiffijException("formats " + String.join(",", formats) + " would write " + file.getFileName()
                        + " twice; list " + A1111 + " before " + DIFFUSERS);
            }
        }
        return files;
    }

    /**
     * Writes the vectors ({@code [vectors, width]} per text encoder) of {@code token} in every
     * format, each file atomically; returns the files, the first format's first.
     */
    static List<Path> write(List<HostTensor> vectors, String token, Path output, List<String> formats,
            TrainingProvenance provenance, boolean overwrite) {
        boolean xl = vectors.size() == 2;
        List<Path> files = files(output, formats, xl);
        OutputFiles.requireNew(files, overwrite);
        Map<String, String> metadata = new LinkedHashMap<>(provenance.metadata());
        int next = 0;
        for (String format : formats) {
            switch (format) {
                case A1111 -> {
                    Map<String, String> a1111 = new LinkedHashMap<>(provenance.modelSpec(
                            "textual-inversion", TrainingProvenance.STABILITY_IMPLEMENTATION, Trainer.stem(output)));
                    a1111.putAll(metadata);
                    SafetensorsWriter.write(files.get(next++), xl
                            ? Map.of("clip_l", vectors.get(0), "clip_g", vectors.get(1))
                            : Map.of("emb_params", vectors.get(0)), a1111);
                }
                case A1111_PT -> TorchPickleWriter.write(files.get(next++), xl
                        ? Map.of("clip_l", vectors.get(0), "clip_g", vectors.get(1))
                        : a1111Dict(vectors.get(0), Trainer.stem(output), provenance));
                case DIFFUSERS -> {
                    Map<String, String> diffusers = new LinkedHashMap<>(metadata);
                    diffusers.put("format", "pt");
                    for (HostTensor encoderVectors : vectors) {
                        SafetensorsWriter.write(files.get(next++), Map.of(token, encoderVectors), diffusers);
                    }
                }
                default -> throw new IllegalStateException(format);
            }
        }
        return files;
    }

    /** The dict A1111's {@code Embedding.save} writes, in its key order. */
    private static Map<String, Object> a1111Dict(HostTensor vectors, String name, TrainingProvenance p) {
        boolean file = Files.isRegularFile(p.model());
        Map<String, Object> dict = new LinkedHashMap<>();
        dict.put("string_to_token", Map.of("*", A1111_TOKEN_ID));
        dict.put("string_to_param", Map.of("*", vectors));
        dict.put("name", name);
        dict.put("step", p.step());
        // A1111 records its checkpoint's short hash (the first 10 hex digits of the file's SHA-256).
        dict.put("sd_checkpoint", file ? p.modelHash().substring(0, 10) : null);
        dict.put("sd_checkpoint_name", file ? Trainer.stem(p.model()) : p.modelName());
        // A1111 and ComfyUI read only string_to_param from this layout: our provenance rides along.
        dict.putAll(p.metadata());
        return dict;
    }
}
