package org.diffij.bench;

import java.io.PrintStream;

/** A measurement that prints figures; run by {@code diffij bench NAME}, never by the test suite. */
public interface Benchmark {

    /** The name on the command line, e.g. {@code unet}. */
    String name();

    /** One line for {@code diffij bench --help}. */
    String description();

    void run(BenchOptions options, PrintStream out) throws Exception;
}
