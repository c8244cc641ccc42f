package org.diffij.text;

import org.diffij.models.clip.ClipTextModel;
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
 * leaving both untouched: each vector gets an id after the vocabulary, in load order, and
 * {@link #rows} holds the vectors for {@link ClipTextModel#forward(NDArray, NDArray)}. A token
 * with characters other than letters, digits, {@code _ - .} (diffusers' {@code <cat-toy>}) is
 * matched literally in the text as {@code <tok>}, {@code <tok>_1}, ... and {@link #expand}
 * writes a prompt's {@code <tok>} out as all of them, like diffusers' {@code maybe_convert_prompt};
 * a plain name (A1111's file names such as {@code bad-hands-5}) is matched as a whole word in any
 * case and becomes all its vectors, like A1111.
 */
public final class TokenOverlay {

    private static final Pattern PLAIN_NAME = Pattern.compile("[\\p{L}\\p{N}_.-]+");

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
        Map<String, Integer> literal = new LinkedHashMap<>();
        Map<String, int[]> words = new LinkedHashMap<>();
        Map<String, Integer> literalCounts = new LinkedHashMap<>();
        List<float[]> vectors = new ArrayList<>();
        int next = Math.max(vocabSize, base.size());
        if (next != vocabSize) {
            throw new DiffijException("the tokenizer already has added tokens beyond the encoder's vocabulary; "
                    + "apply textual inversions to the base tokenizer");
        }
        for (TextualInversion embedding : embeddings) {
            String token = embedding.token();
            if (literalCounts.containsKey(token) || words.containsKey(token)) {
                throw new DiffijException("two embeddings use the token '" + token + "'; give one of them another token");
            }
            float[][] rows = embedding.vectorsFor(encoderIndex, hiddenSize);
            int[] ids = new int[rows.length];
            for (int i = 0; i < rows.length; i++) {
                ids[i] = next++;
                vectors.add(rows[i]);
            }
            if (PLAIN_NAME.matcher(token).matches()) {
                words.put(token, ids);
            } else {
                literalCounts.put(token, rows.length);
                for (int i = 0; i < rows.length; i++) {
                    literal.put(i == 0 ? token : token + "_" + i, ids[i]);
                }
            }
        }
        float[] flat = new float[vectors.size() * hiddenSize];
        for (int i = 0; i < vectors.size(); i++) {
            System.arraycopy(vectors.get(i), 0, flat, i * hiddenSize, hiddenSize);
        }
        ClipTokenizer tokenizer = base.withAddedTokens(literal);
        if (!words.isEmpty()) {
            tokenizer = tokenizer.withWordTokens(words);
        }
        return new TokenOverlay(tokenizer, literalCounts, flat, vectors.size(), hiddenSize);
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
