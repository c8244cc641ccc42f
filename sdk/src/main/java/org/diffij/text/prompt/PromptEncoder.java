package org.diffij.text.prompt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** Turns one prompt (A1111 syntax, no schedule) into the conditioning a UNet takes. */
public interface PromptEncoder {

    /**
     * Sequence conditioning (1, tokens, features) and, for SDXL, the pooled conditioning (1, projection);
     * null for SD1.x/2.x.
     */
    record Conditioning(NDArray embeds, NDArray pooled) {
    }

    Conditioning encode(NDManager manager, String prompt);
}
