package org.diffij.text.prompt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import org.diffij.DiffijException;

/**
 * Gives a prompt and its negative prompt the same number of chunks before classifier-free
 * guidance batches them, as A1111 does: the shorter one gets the empty prompt's conditioning
 * appended as often as needed.
 */
public final class ChunkPadding {

    private ChunkPadding() {
    }

    /** The two sequence conditionings (1, 77 * chunks, features), padded to the longer one's length. */
    public static NDArray[] toSameLength(NDManager manager, PromptEncoder encoder, NDArray cond, NDArray uncond) {
        if (cond.getShape().get(1) == uncond.getShape().get(1)) {
            return new NDArray[] {cond, uncond};
        }
        return toSameLength(cond, uncond, encoder.encode(manager, "").embeds());
    }

    /** As above with the empty prompt's conditioning already encoded. */
    public static NDArray[] toSameLength(NDArray cond, NDArray uncond, NDArray empty) {
        long condTokens = cond.getShape().get(1);
        long uncondTokens = uncond.getShape().get(1);
        if (condTokens == uncondTokens) {
            return new NDArray[] {cond, uncond};
        }
        long chunk = empty.getShape().get(1);
        if (condTokens % chunk != 0 || uncondTokens % chunk != 0) {
            throw new DiffijException("conditionings of " + condTokens + " and " + uncondTokens
                    + " tokens are not whole chunks of " + chunk);
        }
        return condTokens < uncondTokens
                ? new NDArray[] {append(cond, empty, (uncondTokens - condTokens) / chunk), uncond}
                : new NDArray[] {cond, append(uncond, empty, (condTokens - uncondTokens) / chunk)};
    }

    private static NDArray append(NDArray conditioning, NDArray empty, long times) {
        NDList parts = new NDList(conditioning);
        for (long i = 0; i < times; i++) {
            parts.add(empty);
        }
        return NDArrays.concat(parts, 1);
    }
}
