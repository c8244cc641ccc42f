package org.diffij.parity;

/** The comparison of one produced output with its reference. */
public record OutputCheck(String name, boolean passed, double maxAbs, double relL2, String detail) {

    static OutputCheck failure(String name, String detail) {
        return new OutputCheck(name, false, Double.NaN, Double.NaN, detail);
    }
}
