package org.diffij.bench;

/** Repetitions of a benchmark: warm-up runs not counted, then measured runs whose median is reported. */
public record BenchOptions(int warmupRuns, int measuredRuns) {

    public BenchOptions {
        if (warmupRuns < 0 || measuredRuns < 1) {
            throw new IllegalArgumentException("need warmupRuns >= 0 and measuredRuns >= 1");
        }
    }
}
