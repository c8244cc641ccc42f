package org.diffij.text.prompt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.function.Function;
import org.diffij.models.clip.ClipTextModel;
import org.diffij.models.clip.ClipTextOutput;
import org.diffij.text.ClipTokenizer;
import org.diffij.text.TokenOverlay;

/**
 * Encodes a prompt with A1111 emphasis and chunking through one CLIP text encoder: each chunk
 * is encoded, its hidden states are multiplied by the token weights and rescaled so that the
 * chunk's overall mean is what it was before weighting (A1111's "Original" emphasis), and the
 * chunks are concatenated along the tokens, giving (1, 77 * chunks, hidden).
 */
public final class WeightedPromptEncoder implements PromptEncoder {

    private final ClipTokenizer tokenizer;
    private final ClipTextModel encoder;
    private final TokenOverlay overlay;
    private final Function<ClipTextOutput, NDArray> states;
    private final int commaBacktrack;

    private WeightedPromptEncoder(ClipTokenizer tokenizer, ClipTextModel encoder, TokenOverlay overlay,
            Function<ClipTextOutput, NDArray> states, int commaBacktrack) {
        this.tokenizer = overlay != null ? overlay.tokenizer() : tokenizer;
        this.encoder = encoder;
        this.overlay = overlay;
        this.states = states;
        this.commaBacktrack = commaBacktrack;
    }

    /**
     * SD1.x/2.x conditioning: the last hidden state, or with {@code clipSkip} k the final LayerNorm of
     * {@code hidden_states[-(k + 1)]} (A1111's "CLIP skip" N is k = N - 1). {@code overlay} holds the
     * request's textual inversions, or is null.
     */
    public static WeightedPromptEncoder sd(ClipTokenizer tokenizer, ClipTextModel encoder, TokenOverlay overlay,
            int clipSkip) {
        return new WeightedPromptEncoder(tokenizer, encoder, overlay, out -> out.promptEmbeds(clipSkip),
                PromptChunks.DEFAULT_COMMA_BACKTRACK);
    }

    /** One of SDXL's encoders: {@code hidden_states[-(clipSkip + 2)]} without the final LayerNorm. */
    public static WeightedPromptEncoder sdxl(ClipTokenizer tokenizer, ClipTextModel encoder, TokenOverlay overlay,
            int clipSkip) {
        return new WeightedPromptEncoder(tokenizer, encoder, overlay, out -> out.hiddenState(-(clipSkip + 2)),
                PromptChunks.DEFAULT_COMMA_BACKTRACK);
    }

    /** The tokenizer, with the overlay's textual-inversion tokens when there are any. */
    public ClipTokenizer tokenizer() {
        return tokenizer;
    }

    /** The prompt's chunks (ids and weights), without encoding. */
    public List<PromptChunks.Chunk> chunks(String prompt) {
        String expanded = overlay != null ? overlay.expand(prompt) : prompt;
        return PromptChunks.of(tokenizer, AttentionParser.parse(expanded), commaBacktrack);
    }

    /** The encoded prompt and, for encoders with projection, the first chunk's {@code text_embeds}. */
    @Override
    public Conditioning encode(NDManager manager, String prompt) {
        List<PromptChunks.Chunk> chunks = chunks(prompt);
        int length = tokenizer.maxLength();
        long[] ids = new long[chunks.size() * length];
        float[] weights = new float[chunks.size() * length];
        boolean weighted = false;
        for (int i = 0; i < chunks.size(); i++) {
            System.arraycopy(chunks.get(i).ids(), 0, ids, i * length, length);
            System.arraycopy(chunks.get(i).weights(), 0, weights, i * length, length);
            weighted |= !chunks.get(i).isUnweighted();
        }
        NDArray rows = overlay != null ? overlay.rows(manager) : null;
        ClipTextOutput out = encoder.forward(manager.create(ids, new Shape(chunks.size(), length)), rows);
        NDArray z = states.apply(out);
        if (weighted) {
            z = applyWeights(z, manager.create(weights, new Shape(chunks.size(), length, 1)).toType(z.getDataType(), false));
        }
        long hidden = z.getShape().get(2);
        NDArray textEmbeds = out.textEmbeds() == null ? null : out.textEmbeds().get("0:1");
        return new Conditioning(z.reshape(1, (long) chunks.size() * length, hidden), textEmbeds);
    }

    /** The mean of each chunk over its tokens and features, shaped (chunks, 1, 1). */
    private static NDArray chunkMeans(NDArray z) {
        long chunks = z.getShape().get(0);
        return z.reshape(chunks, -1).mean(new int[] {1}).reshape(chunks, 1, 1);
    }

    /** Per chunk: {@code z * w}, rescaled so that its mean over tokens and features is the unweighted mean. */
    static NDArray applyWeights(NDArray z, NDArray weights) {
        NDArray weightedZ = z.mul(weights);
        return weightedZ.mul(chunkMeans(z).div(chunkMeans(weightedZ)));
    }
}
