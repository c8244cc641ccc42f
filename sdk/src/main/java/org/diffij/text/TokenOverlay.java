package org.diffij.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.diffij.DiffijException;

/**
 * Textual-inversion embeddings applied to one tokenizer / text encoder pair for one request,
 * leaving both untouched: the placeholder tokens get ids after the vocabulary in load order
 * ({@code <tok>}, {@code <tok>_1}, ... for multi-vector embeddings, as diffusers names them), the
 * tokenizer overlay matches them literally, and {@link #rows} holds their vectors for
 * {@link ClipTextModel#forward(NDArray, NDArray)}. {@link #expand} rewrites a prompt's
 * {@code <tok>} into all its vector tokens, as diffusers' {@code maybe_convert_prompt} does.
 */
public final class TokenOverlay {

    private final ClipTokenizer tokenizer;
    private final Map<String, Integer> vectorCounts;
    private final float[] rows;
    private final int rowCount;
    private final int width;
    private final Pattern placeholders;

    private TokenOverlay(ClipTokenizer tokenizer, Map<String, Integer> vectorCounts, float[] rows, int rowCount,
            int width) {
        this.tokenizer = tokenizer;
        this.vectorCounts = vectorCounts;
        this.rows = rows;
        this.rowCount = rowCount;
        this.width = width;
        List<String> quoted = new ArrayList<>();
        vectorCounts.keySet().stream().sorted((a, b) -> b.length() - a.length()).forEach(t -> quoted.add(Pattern.quote(t)));
        this.placeholders = quoted.isEmpty() ? null : Pattern.compile(String.join("|", quoted));
    }

    /**
     * The overlay of the embeddings on a tokenizer whose encoder has {@code vocabSize} rows of
     * {@code hiddenSize}; {@code encoderIndex} picks SDXL's clip_l (0) or clip_g (1) vectors.
     */
    public static TokenOverlay of(ClipTokenizer base, int vocabSize, int hiddenSize, int encoderIndex,
            List<TextualInversion> embeddings) {
        Map<String, Integer> ids = new LinkedHashMap<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        List<float[]> vectors = new ArrayList<>();
        int next = Math.max(vocabSize, base.size());
        for (TextualInversion embedding : embeddings) {
            if (counts.containsKey(embedding.token())) {
                throw new DiffijException("two embeddings use the token '" + embedding.token()
                        + "'; give one of them another token");
            }
            float[][] rows = embedding.vectorsFor(encoderIndex, hiddenSize);
            counts.put(embedding.token(), rows.length);
            for (int i = 0; i < rows.length; i++) {
                ids.put(i == 0 ? embedding.token() : embedding.token() + "_" + i, next++);
                vectors.add(rows[i]);
            }
        }
        if (next - vocabSize != vectors.size()) {
            throw new DiffijException("the tokenizer already has added tokens beyond the encoder's vocabulary; "
                    + "apply textual inversions to the base tokenizer");
        }
        float[] flat = new float[vectors.size() * hiddenSize];
        for (int i = 0; i < vectors.size(); i++) {
            System.arraycopy(vectors.get(i), 0, flat, i * hiddenSize, hiddenSize);
        }
        return new TokenOverlay(base.withAddedTokens(ids), counts, flat, vectors.size(), hiddenSize);
    }

    public ClipTokenizer tokenizer() {
        return tokenizer;
    }

    /** The number of added vectors (rows after the vocabulary). */
    public int rowCount() {
        return rowCount;
    }

    /** The prompt with every placeholder written out as all its vector tokens. */
    public String expand(String prompt) {
        if (placeholders == null) {
            return prompt;
        }
        Matcher m = placeholders.matcher(prompt);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String token = m.group();
            StringBuilder replacement = new StringBuilder(token);
            for (int i = 1; i < vectorCounts.get(token); i++) {
                replacement.append(' ').append(token).append('_').append(i);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement.toString()));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The added vectors as a (rows, width) array in the given manager, or null when there are none. */
    public NDArray rows(NDManager manager) {
        return rowCount == 0 ? null : manager.create(rows.clone(), new Shape(rowCount, width));
    }

    /** The vectors as a flat row-major copy. */
    public float[] rowValues() {
        return rows.clone();
    }
}
