package org.diffij.parity.areas;

import org.diffij.text.ClipTokenizer;
import org.diffij.models.clip.ClipTextOutput;
import org.diffij.models.clip.ClipTextModel;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.diffij.DiffijException;

/**
 * SDXL's pair of text encoders as {@code StableDiffusionXLPipeline.encode_prompt} uses them: each
 * prompt is tokenised by both tokenizers, the penultimate hidden states of both encoders (before
 * their final LayerNorm; with {@code clipSkip} k, {@code hidden_states[-(k + 2)]}) are concatenated
 * along the features, and the pooled conditioning is the second encoder's {@code text_embeds}.
 */
public final class SdxlTextEncoders {

    /** Per-prompt sequence conditioning (batch, 77, d1 + d2) and pooled conditioning (batch, projection). */
    public record Conditioning(NDArray promptEmbeds, NDArray pooledPromptEmbeds) {
    }

    private final ClipTokenizer tokenizer;
    private final ClipTextModel encoder;
    private final ClipTokenizer tokenizer2;
    private final ClipTextModel encoder2;

    public SdxlTextEncoders(ClipTokenizer tokenizer, ClipTextModel encoder, ClipTokenizer tokenizer2,
            ClipTextModel encoder2) {
        if (!encoder2.config().withProjection()) {
            throw new DiffijException("SDXL's second text encoder must be a CLIPTextModelWithProjection "
                    + "(its config.json lists another architecture)");
        }
        this.tokenizer = tokenizer;
        this.encoder = encoder;
        this.tokenizer2 = tokenizer2;
        this.encoder2 = encoder2;
    }

    public Conditioning encode(NDManager manager, List<String> prompts, int clipSkip) {
        if (clipSkip < 0) {
            throw new DiffijException("clip skip must be 0 or more, got " + clipSkip);
        }
        ClipTextOutput first = encoder.forward(TextEncoding.ids(manager, tokenizer, prompts));
        ClipTextOutput second = encoder2.forward(TextEncoding.ids(manager, tokenizer2, prompts));
        int layer = -(clipSkip + 2);
        NDArray embeds = NDArrays.concat(new NDList(first.hiddenState(layer), second.hiddenState(layer)), 2);
        return new Conditioning(embeds, second.textEmbeds());
    }
}
