package org.diffij.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/** The table of benchmarks and the measuring helpers they share. */
public final class Benchmarks {

    private static final List<Benchmark> ALL = List.of(
            new TokenizerBenchmark(),
            new TextEncoderBenchmark(),
            new UnetBenchmark(),
            new VaeBenchmark(),
            new IpAdapterBenchmark(),
            new ConditioningBenchmark(),
            new GenerateBenchmark(),
            new TrainBenchmark(),
            new HypernetworkTrainBenchmark(),
            new DreamBoothBenchmark(),
            new ConceptsBenchmark());

    private Benchmarks() {
    }

    public static List<Benchmark> all() {
        return ALL;
    }

    public static Optional<Benchmark> named(String name) {
        return ALL.stream().filter(b -> b.name().equals(name)).findFirst();
    }

    /** Runs the action warm-up + measured times and returns the measured durations in seconds, sorted. */
    public static double[] time(BenchOptions options, Callable<?> action) throws Exception {
        for (int i = 0; i < options.warmupRuns(); i++) {
            action.call();
        }
        double[] seconds = new double[options.measuredRuns()];
        for (int i = 0; i < seconds.length; i++) {
            long t0 = System.nanoTime();
            action.call();
            seconds[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(seconds);
        return seconds;
    }

    public static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** One result line: name, median, min, max, runs, peak RSS. */
    public static String line(String what, double[] sorted) {
        return String.format(Locale.ROOT, "%-40s median %8.3f s  min %8.3f s  max %8.3f s  (%d runs)  peak RSS %s",
                what, median(sorted), sorted[0], sorted[sorted.length - 1], sorted.length, peakRss());
    }

    /**
     * Restarts the peak resident set size from the current one (Linux's {@code clear_refs} 5), so that
     * the next line's peak is that row's own, not an earlier row's; false where the kernel refuses.
     */
    public static boolean resetPeakRss() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** The process's peak resident set size (VmHWM), which includes native memory outside the Java heap. */
    public static String peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return String.format(Locale.ROOT, "%.2f GB", kb * 1024 / 1e9);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return "unknown";
        }
        return "unknown";
    }
}
