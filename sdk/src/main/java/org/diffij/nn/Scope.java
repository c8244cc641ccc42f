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

    /**
     * A view made of some long-lived array (an adapter's weight) for one forward call: moved to the
     * manager of the call's input, so that it is freed with the call's intermediates instead of
     * piling up in the adapter's manager, one handle per layer and step.
     */
    public static NDArray view(NDArray view, NDArray input) {
        view.attach(input.getManager());
        return view;
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
