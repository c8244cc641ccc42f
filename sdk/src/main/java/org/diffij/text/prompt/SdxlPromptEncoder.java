package org.diffij.text.prompt;

import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import org.diffij.DiffijException;

/**
 * SDXL's two weighted encoders side by side: their chunked states concatenated along the features,
 * and the pooled conditioning of the second encoder's first chunk (unaffected by weights, as in A1111).
 */
public final class SdxlPromptEncoder implements PromptEncoder {

    private final WeightedPromptEncoder first;
    private final WeightedPromptEncoder second;

    public SdxlPromptEncoder(WeightedPromptEncoder first, WeightedPromptEncoder second) {
        this.first = first;
        this.second = second;
    }

    @Override
    public Conditioning encode(NDManager manager, String prompt) {
        Conditioning a = first.encode(manager, prompt);
        Conditioning b = second.encode(manager, prompt);
        if (a.embeds().getShape().get(1) != b.embeds().getShape().get(1)) {
            throw new DiffijException("SDXL's two tokenizers cut the prompt into different numbers of chunks; "
                    + "their vocabularies do not belong together");
        }
        if (b.pooled() == null) {
            throw new DiffijException("SDXL's second text encoder has no projection; it must be a "
                    + "CLIPTextModelWithProjection");
        }
        return new Conditioning(NDArrays.concat(new NDList(a.embeds(), b.embeds()), 2), b.pooled());
    }
}
