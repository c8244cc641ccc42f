package org.diffij.text.prompt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import org.diffij.DiffijException;

/**
 * Gives conditionings the same number of chunks before classifier-free guidance batches them, as
 * A1111 does: a shorter one gets the empty prompt's conditioning appended as often as needed.
 */
public final class ChunkPadding {

    private ChunkPadding() {
    }

    /**
     * The sequence conditioning {@code (1, 77 * chunks, features)} extended to {@code tokens} tokens with
     * {@code empty}, the empty prompt's conditioning (one chunk).
     */
    public static NDArray toLength(NDArray conditioning, NDArray empty, long tokens) {
        long have = conditioning.getShape().get(1);
        long chunk = empty.getShape().get(1);
        if (have == tokens) {
            return conditioning;
        }
        if (have > tokens || have % chunk != 0 || tokens % chunk != 0) {
            throw new DiffijException("a conditioning of " + have + " tokens cannot be padded to " + tokens
                    + " with chunks of " + chunk);
        }
        NDList parts = new NDList(conditioning);
        for (long t = have; t < tokens; t += chunk) {
            parts.add(empty);
        }
        return NDArrays.concat(parts, 1);
    }
}
