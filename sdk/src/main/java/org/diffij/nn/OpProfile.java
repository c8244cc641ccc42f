package org.diffij.nn;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Where a forward pass or a training step spends its time, by kind of op (convolution, linear,
 * attention, ...) or phase (backward, the optimiser), for the benchmarks. Off unless {@link #start()} was called; CPU ops are synchronous, so the time
 * around each call is the op's time.
 */
public final class OpProfile {

    private static volatile Map<String, long[]> totals;

    private OpProfile() {
    }

    /** Starts (or restarts) counting on every thread. */
    public static synchronized void start() {
        totals = new LinkedHashMap<>();
    }

    /** Stops counting and returns seconds and calls per kind, in order of first use. */
    public static synchronized Map<String, double[]> stop() {
        Map<String, double[]> out = new LinkedHashMap<>();
        if (totals != null) {
            totals.forEach((kind, t) -> out.put(kind, new double[] {t[0] / 1e9, t[1]}));
        }
        totals = null;
        return out;
    }

    /** Runs {@code op} (an op, or a phase of a training step: backward, clipping, the optimiser), counted as {@code kind}. */
    public static <T> T time(String kind, Supplier<T> op) {
        Map<String, long[]> counting = totals;
        if (counting == null) {
            return op.get();
        }
        long t0 = System.nanoTime();
        T result = op.get();
        add(counting, kind, System.nanoTime() - t0);
        return result;
    }

    /** As {@link #time}, for a phase that gives no result. */
    public static void timed(String kind, Runnable step) {
        time(kind, () -> {
            step.run();
            return null;
        });
    }

    private static void add(Map<String, long[]> counting, String kind, long elapsed) {
        synchronized (OpProfile.class) {
            long[] t = counting.computeIfAbsent(kind, k -> new long[2]);
            t[0] += elapsed;
            t[1]++;
        }
    }
}
