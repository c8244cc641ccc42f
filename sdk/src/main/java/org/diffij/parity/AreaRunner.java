package org.diffij.parity;

import java.util.Map;
import org.diffij.io.HostTensor;

/**
 * Runs the cases of one golden area with Diffij's own implementation. Each area that Diffij
 * implements registers one runner in {@link AreaRunners}; cases of areas without a runner are
 * reported SKIP, cases of areas with one are never skipped.
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
}
