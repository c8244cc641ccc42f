package org.diffij.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.function.UnaryOperator;

/**
 * Runs one block's computation in a memory scope of its own: intermediates are freed when the
 * block returns, only its result moves to the input's manager. Without it every intermediate of a
 * UNet forward would live until the job ends (gigabytes at 512²).
 */
public final class Scope {

    private Scope() {
    }

    public static NDArray run(NDArray input, UnaryOperator<NDArray> block) {
        NDManager owner = input.getManager();
        try (NDManager scope = owner.newSubManager()) {
            input.tempAttach(scope);
            NDArray result = block.apply(input);
            result.attach(owner);
            return result;
        }
    }
}
