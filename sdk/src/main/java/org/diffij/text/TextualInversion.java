package org.diffij.text;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diffij.DiffijException;
import org.diffij.io.HostTensor;
import org.diffij.io.WeightFile;

/**
 * A textual-inversion embedding: a placeholder token and the vectors it stands for, one set per
 * text encoder ({@link #SINGLE} for SD1.x/2.x; {@link #CLIP_L} and {@link #CLIP_G} for SDXL's
 * first and second encoder). Reads A1111 safetensors ({@code emb_params} or
 * {@code string_to_param.*}; the token defaults to the file name, as A1111 uses it), diffusers
 * files ({@code {token: tensor}}) and SDXL pairs ({@code clip_l}, {@code clip_g}).
 */
public record TextualInversion(String token, Map<String, float[][]> vectorsByEncoder) {

    public static final String SINGLE = "single";
    public static final String CLIP_L = "clip_l";
    public static final String CLIP_G = "clip_g";
    /** The widest vectors accepted (the widest CLIP text encoder is 1,280). */
    public static final int MAX_WIDTH = 16_384;

    public TextualInversion {
        if (token == null || token.isBlank()) {
            throw new DiffijException("a textual-inversion embedding needs a non-empty token");
        }
        vectorsByEncoder = Map.copyOf(vectorsByEncoder);
    }

    /** The number of vectors (tokens) the placeholder expands to. */
    public int vectorCount() {
        return vectorsByEncoder.values().iterator().next().length;
    }

    /**
     * The vectors for a text encoder: the SDXL pair's {@code clip_l} / {@code clip_g} for encoder 0 /
     * 1, else the single set, which must match the encoder's width.
     */
    public float[][] vectorsFor(int encoderIndex, int hiddenSize) {
        float[][] vectors = vectorsByEncoder.get(SINGLE);
        if (vectors == null) {
            vectors = vectorsByEncoder.get(encoderIndex == 0 ? CLIP_L : CLIP_G);
        }
        if (vectors == null) {
            throw new DiffijException("the embedding '" + token + "' has no vectors for text encoder " + (encoderIndex + 1));
        }
        if (vectors[0].length != hiddenSize) {
            throw new DiffijException("the embedding '" + token + "' has " + vectors[0].length
                    + "-wide vectors but the text encoder is " + hiddenSize + " wide: it was trained for another model family");
        }
        return vectors;
    }

    /**
     * Loads an embedding file, safetensors or torch pickle (A1111's {@code .pt}, diffusers'
     * {@code learned_embeds.bin}); {@code token} (may be null) overrides the token the file names.
     */
    public static TextualInversion load(Path file, String token) {
        String name = file.getFileName().toString();
        if (!Files.exists(file)) {
            throw new DiffijException(file + ": no such embedding file");
        }
        String stem = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
        try (WeightFile tensors = WeightFile.open(file)) {
            List<String> names = new ArrayList<>(tensors.names());
            Map<String, float[][]> vectors = new LinkedHashMap<>();
            String fileToken;
            if (names.contains(CLIP_L) && names.contains(CLIP_G)) {
                vectors.put(CLIP_L, rows(file, CLIP_L, tensors.read(CLIP_L)));
                vectors.put(CLIP_G, rows(file, CLIP_G, tensors.read(CLIP_G)));
                fileToken = stem;
            } else if (names.contains("emb_params")) {
                vectors.put(SINGLE, rows(file, "emb_params", tensors.read("emb_params")));
                fileToken = stem;
            } else if (names.contains("string_to_param.*")) {
                vectors.put(SINGLE, rows(file, "string_to_param.*", tensors.read("string_to_param.*")));
                fileToken = stem;
            } else if (names.size() == 1) {
                fileToken = names.get(0);
                vectors.put(SINGLE, rows(file, fileToken, tensors.read(fileToken)));
            } else {
                throw new DiffijException(file + ": not a textual-inversion embedding (expected emb_params, "
                        + "string_to_param.*, clip_l + clip_g, or a single {token: vectors} tensor; found " + names + ")");
            }
            if (vectors.size() == 2 && vectors.get(CLIP_L).length != vectors.get(CLIP_G).length) {
                throw new DiffijException(file + ": clip_l and clip_g hold different numbers of vectors");
            }
            return new TextualInversion(token != null ? token : fileToken, vectors);
        }
    }

    private static float[][] rows(Path file, String name, HostTensor tensor) {
        long[] shape = tensor.shape();
        if (shape.length == 1) {
            shape = new long[] {1, shape[0]};
        }
        if (shape.length != 2 || shape[0] < 1 || shape[1] < 1 || shape[0] > 75) {
            throw new DiffijException(file + ": '" + name + "' has shape " + Arrays.toString(tensor.shape())
                    + "; an embedding is (vectors <= 75, width) or (width)");
        }
        if (shape[1] > MAX_WIDTH) {
            throw new DiffijException(file + ": '" + name + "' has " + shape[1] + "-wide vectors; no text encoder is "
                    + "wider than " + MAX_WIDTH);
        }
        String values = tensor.valueProblem(HostTensor.FLOAT16_MAX);
        if (values != null) {
            throw new DiffijException(file + ": '" + name + "' " + values);
        }
        float[] flat = tensor.toFloatArray();
        int width = (int) shape[1];
        float[][] rows = new float[(int) shape[0]][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = Arrays.copyOfRange(flat, i * width, (i + 1) * width);
        }
        return rows;
    }
}
