package org.diffij.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.diffij.DiffijException;
import org.diffij.bench.BenchOptions;
import org.diffij.bench.Benchmark;
import org.diffij.bench.Benchmarks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Runs benchmarks and prints their figures (median of the measured runs after warm-up, "
                + "peak RSS).", "Benchmarks: see 'diffij bench --list'."})
final class BenchCommand implements Callable<Integer> {

    @Parameters(paramLabel = "NAME", arity = "0..*", description = "benchmarks to run (all when none is named)")
    List<String> names = List.of();

    @Option(names = "--runs", defaultValue = "3", description = "measured runs (default ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--warmup", defaultValue = "1", description = "warm-up runs (default ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--list", description = "list the benchmarks and exit")
    boolean list;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        if (list || Benchmarks.all().isEmpty()) {
            Benchmarks.all().forEach(b -> out.printf("%-14s %s%n", b.name(), b.description()));
            return 0;
        }
        if (runs < 1 || warmup < 0) {
            throw new DiffijException("--runs must be at least 1 and --warmup at least 0");
        }
        List<Benchmark> selected = names.isEmpty() ? Benchmarks.all() : names.stream()
                .map(n -> Benchmarks.named(n).orElseThrow(() -> new DiffijException("no benchmark '" + n
                        + "'; choose from " + Benchmarks.all().stream().map(Benchmark::name)
                        .collect(Collectors.joining(", ")))))
                .toList();
        BenchOptions options = new BenchOptions(warmup, runs);
        for (Benchmark benchmark : selected) {
            out.println("== " + benchmark.name() + ": " + benchmark.description());
            benchmark.run(options, out);
        }
        return 0;
    }
}
