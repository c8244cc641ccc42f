package org.diffij.parity;

import java.util.Map;
import java.util.Optional;
import org.diffij.io.HostTensor;

/**
 * Runs the cases of one golden area with Diffij's own implementation. Each area that Diffij
 * implements registers one runner in {@link AreaRunners}; cases of areas without a runner are
 * reported SKIP, and so are the cases a runner of a partly implemented area names in
 * {@link #notImplemented}; every other case of an area with a runner is run.
 */
public interface AreaRunner {

    /** The manifest area this runner implements, e.g. {@code "tokenizer"}. */
    String area();

    /**
     * Computes the case's outputs from its inputs and params, keyed by the case's output names.
     * For a case whose tolerance is {@code expect_error} the runner must try every input and
     * throw a {@link org.diffij.DiffijException} only when all of them were rejected.
     */
    Map<String, HostTensor> run(GoldenCase golden) throws Exception;

    /** Why this runner does not run the case yet, or empty when it runs it (the default: every case). */
    default Optional<String> notImplemented(GoldenCase golden) {
        return Optional.empty();
    }
}
