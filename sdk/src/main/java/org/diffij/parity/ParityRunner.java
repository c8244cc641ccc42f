package org.diffij.parity;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.diffij.DiffijException;
import org.diffij.io.HostTensor;

/** Runs golden cases through their area runners and judges them by the manifest's tolerances. */
public final class ParityRunner {

    private final Map<String, AreaRunner> runners;

    public ParityRunner(Map<String, AreaRunner> runners) {
        this.runners = Map.copyOf(runners);
    }

    public ParityRunner() {
        this(AreaRunners.all());
    }

    public CaseResult run(GoldenCase golden) {
        AreaRunner runner = runners.get(golden.area());
        if (runner == null) {
            return new CaseResult(golden.id(), CaseResult.Status.SKIP, List.of(),
                    "area '" + golden.area() + "' not implemented yet", 0);
        }
        String notImplemented = runner.notImplemented(golden).orElse(null);
        if (notImplemented != null) {
            return new CaseResult(golden.id(), CaseResult.Status.SKIP, List.of(), notImplemented, 0);
        }
        long start = System.nanoTime();
        boolean expectError = golden.tolerance().has("expect_error")
                && golden.tolerance().get("expect_error").getAsBoolean();
        try {
            Map<String, HostTensor> produced = runner.run(golden);
            double seconds = (System.nanoTime() - start) / 1e9;
            if (expectError) {
                return new CaseResult(golden.id(), CaseResult.Status.FAIL, List.of(),
                        "expected the input to be rejected with an error, but it was accepted", seconds);
            }
            List<OutputCheck> checks = Tolerances.compare(golden, produced);
            List<String> failed = checks.stream().filter(c -> !c.passed())
                    .map(c -> c.name() + ": " + c.detail()).collect(Collectors.toList());
            return new CaseResult(golden.id(), failed.isEmpty() ? CaseResult.Status.PASS : CaseResult.Status.FAIL,
                    checks, String.join(" | ", failed), seconds);
        } catch (DiffijException e) {
            double seconds = (System.nanoTime() - start) / 1e9;
            if (expectError) {
                return new CaseResult(golden.id(), CaseResult.Status.PASS, List.of(),
                        "rejected: " + e.getMessage(), seconds);
            }
            return new CaseResult(golden.id(), CaseResult.Status.FAIL, List.of(), "error: " + e.getMessage(), seconds);
        } catch (Exception | LinkageError e) {
            double seconds = (System.nanoTime() - start) / 1e9;
            return new CaseResult(golden.id(), CaseResult.Status.FAIL, List.of(),
                    "crashed: " + e, seconds);
        } finally {
            golden.close();
        }
    }

    /** Runs the selected cases in manifest order, reporting each result as it completes. */
    public Summary runAll(GoldenManifest manifest, Set<String> areas, Set<String> ids, Consumer<CaseResult> report) {
        List<CaseResult> results = new ArrayList<>();
        for (GoldenCase golden : manifest.cases()) {
            if (!areas.isEmpty() && !areas.contains(golden.area())) {
                continue;
            }
            if (!ids.isEmpty() && !ids.contains(golden.id())) {
                continue;
            }
            CaseResult result = run(golden);
            results.add(result);
            report.accept(result);
        }
        return new Summary(results);
    }

    /** Counts of a run; its {@link #line()} is the harness's closing line. */
    public record Summary(List<CaseResult> results) {

        public long count(CaseResult.Status status) {
            return results.stream().filter(r -> r.status() == status).count();
        }

        public String line() {
            return count(CaseResult.Status.PASS) + " passed, " + count(CaseResult.Status.FAIL) + " failed, "
                    + count(CaseResult.Status.SKIP) + " skipped";
        }
    }
}
