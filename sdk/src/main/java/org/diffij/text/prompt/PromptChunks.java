package org.diffij.text.prompt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.diffij.text.ClipTokenizer;

/**
 * A weighted prompt cut into encoder-sized chunks the way A1111 does: 75 text tokens per chunk,
 * each framed by the start and end tokens and padded; {@code BREAK} pads the current chunk and
 * starts a new one; when a chunk fills up and a comma was seen within the last
 * {@code commaBacktrack} tokens, the tokens after that comma move to the next chunk; the vectors
 * of one textual-inversion embedding stay in one chunk. Each token carries its weight; start, end
 * and padding carry 1. Padding follows the tokenizer's convention, so a prompt of at most 75
 * tokens without syntax gives exactly the ids diffusers gives.
 */
public final class PromptChunks {

    /** A1111's default for "prompt word wrap length limit". */
    public static final int DEFAULT_COMMA_BACKTRACK = 20;

    /** One encoder input: ids and per-token weights, both of the tokenizer's length (77). */
    public record Chunk(long[] ids, float[] weights) {

        public boolean isUnweighted() {
            for (float w : weights) {
                if (w != 1f) {
                    return false;
                }
            }
            return true;
        }
    }

    private final ClipTokenizer tokenizer;
    private final int chunkLength;
    private final int commaBacktrack;
    private final int comma;
    private final List<Chunk> chunks = new ArrayList<>();
    private final List<Integer> tokens = new ArrayList<>();
    private final List<Float> weights = new ArrayList<>();
    private int lastComma = -1;

    private PromptChunks(ClipTokenizer tokenizer, int commaBacktrack) {
        this.tokenizer = tokenizer;
        this.chunkLength = tokenizer.maxLength() - 2;
        this.commaBacktrack = commaBacktrack;
        int[] commaIds = tokenizer.tokenize(",");
        this.comma = commaIds.length == 1 ? commaIds[0] : -1;
    }

    public static List<Chunk> of(ClipTokenizer tokenizer, List<WeightedText> runs) {
        return of(tokenizer, runs, DEFAULT_COMMA_BACKTRACK);
    }

    public static List<Chunk> of(ClipTokenizer tokenizer, List<WeightedText> runs, int commaBacktrack) {
        PromptChunks builder = new PromptChunks(tokenizer, commaBacktrack);
        for (WeightedText run : runs) {
            if (run.isBreak()) {
                builder.nextChunk();
            } else {
                builder.add(tokenizer.tokenize(run.text()), (float) run.weight());
            }
        }
        if (!builder.tokens.isEmpty() || builder.chunks.isEmpty()) {
            builder.nextChunk();
        }
        return List.copyOf(builder.chunks);
    }

    private void add(int[] ids, float weight) {
        int firstAdded = tokenizer.vocabularySize();
        int position = 0;
        while (position < ids.length) {
            int token = ids[position];
            if (token == comma) {
                lastComma = tokens.size();
            } else if (commaBacktrack != 0 && tokens.size() == chunkLength && lastComma != -1
                    && tokens.size() - lastComma <= commaBacktrack) {
                int breakAt = lastComma + 1;
                List<Integer> movedTokens = new ArrayList<>(tokens.subList(breakAt, tokens.size()));
                List<Float> movedWeights = new ArrayList<>(weights.subList(breakAt, weights.size()));
                tokens.subList(breakAt, tokens.size()).clear();
                weights.subList(breakAt, weights.size()).clear();
                nextChunk();
                tokens.addAll(movedTokens);
                weights.addAll(movedWeights);
            }
            if (tokens.size() == chunkLength) {
                nextChunk();
            }
            int run = 1;
            if (token >= firstAdded) {
                while (position + run < ids.length && ids[position + run] == token + run) {
                    run++;
                }
                run = Math.min(run, chunkLength);
                if (tokens.size() + run > chunkLength) {
                    nextChunk();
                }
            }
            for (int i = 0; i < run; i++) {
                tokens.add(ids[position + i]);
                weights.add(weight);
            }
            position += run;
        }
    }

    private void nextChunk() {
        PromptLimits.checkChunks(chunks.size() + 1);
        int length = chunkLength + 2;
        long[] ids = new long[length];
        float[] w = new float[length];
        Arrays.fill(ids, tokenizer.padId());
        Arrays.fill(w, 1f);
        ids[0] = tokenizer.startId();
        for (int i = 0; i < tokens.size(); i++) {
            ids[i + 1] = tokens.get(i);
            w[i + 1] = weights.get(i);
        }
        ids[tokens.size() + 1] = tokenizer.endId();
        chunks.add(new Chunk(ids, w));
        tokens.clear();
        weights.clear();
        lastComma = -1;
    }
}
