package org.diffij.parity.areas;

import org.diffij.text.ClipTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/** Helpers shared by the prompt encoders: prompts to the padded id batch an encoder takes. */
public final class TextEncoding {

    private TextEncoding() {
    }

    /** The prompts tokenised and padded to the tokenizer's length, as an int64 (batch, length) array. */
    public static NDArray ids(NDManager manager, ClipTokenizer tokenizer, List<String> prompts) {
        int length = tokenizer.maxLength();
        long[] ids = new long[prompts.size() * length];
        for (int i = 0; i < prompts.size(); i++) {
            System.arraycopy(tokenizer.encodePadded(prompts.get(i)).ids(), 0, ids, i * length, length);
        }
        return manager.create(ids, new Shape(prompts.size(), length));
    }
}
