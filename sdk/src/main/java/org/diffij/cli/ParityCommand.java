package org.diffij.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.diffij.parity.CaseResult;
import org.diffij.parity.GoldenManifest;
import org.diffij.parity.OutputCheck;
import org.diffij.parity.ParityRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "parity", mixinStandardHelpOptions = true,
        description = {"Runs the golden reference cases (outputs of diffusers/transformers) against Diffij and "
                + "compares every output with the case's tolerance.",
            "Prints PASS/FAIL/SKIP per case and ends with 'N passed, M failed, K skipped'. "
                + "Exit code 1 when a case failed."})
final class ParityCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "MANIFEST", description = "the golden manifest.json, e.g. ../shared/golden/manifest.json")
    Path manifest;

    @Option(names = "--area", split = ",", paramLabel = "AREA", description = "only these areas (comma-separated)")
    List<String> areas = List.of();

    @Option(names = "--case", split = ",", paramLabel = "ID", description = "only these case ids")
    List<String> cases = List.of();

    @Option(names = {"-v", "--verbose"}, description = "print every output's errors")
    boolean verbose;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        GoldenManifest golden = GoldenManifest.load(manifest);
        Set<String> areaSet = new LinkedHashSet<>(areas);
        Set<String> caseSet = new LinkedHashSet<>(cases);
        ParityRunner.Summary summary = new ParityRunner().runAll(golden, areaSet, caseSet, result -> {
            out.println(result.line());
            if (verbose) {
                for (OutputCheck check : result.checks()) {
                    out.printf("    %-4s %s max_abs=%.3g rel_l2=%.3g %s%n", check.passed() ? "ok" : "BAD",
                            check.name(), check.maxAbs(), check.relL2(), check.detail());
                }
            }
            out.flush();
        });
        out.println(summary.line());
        return summary.count(CaseResult.Status.FAIL) > 0 ? 1 : 0;
    }
}
