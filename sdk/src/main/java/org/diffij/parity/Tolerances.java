package org.diffij.parity;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.diffij.io.HostTensor;

/**
 * Compares produced outputs with a case's references under the tolerance the manifest gives for
 * that case (never a tolerance of our own): {@code exact}; {@code max_abs} and/or {@code rel_l2};
 * {@code uint8_outputs}; {@code quality: rmse}; and per-output {@code rules} (the training area),
 * judged by {@link TrainingTolerances}.
 */
public final class Tolerances {

    private Tolerances() {
    }

    public static List<OutputCheck> compare(GoldenCase golden, Map<String, HostTensor> produced) {
        JsonObject tolerance = golden.tolerance();
        List<OutputCheck> checks = new ArrayList<>();
        for (String name : produced.keySet()) {
            if (!golden.outputNames().contains(name)) {
                checks.add(OutputCheck.failure(name, "produced but the case has no such output"));
            }
        }
        if (tolerance.has("rules")) {
            checks.addAll(TrainingTolerances.compare(golden, produced, tolerance.getAsJsonArray("rules")));
            return checks;
        }
        boolean quality = tolerance.has("quality");
        for (String name : golden.outputNames()) {
            HostTensor y = produced.get(name);
            if (y == null) {
                if (!(quality && name.startsWith("baseline_"))) {
                    checks.add(OutputCheck.failure(name, "not produced"));
                }
                continue;
            }
            checks.add(compareOne(name, y, golden.expected(name), toleranceFor(tolerance, name)));
        }
        return checks;
    }

    private static JsonObject toleranceFor(JsonObject tolerance, String name) {
        JsonObject uint8 = tolerance.getAsJsonObject("uint8_outputs");
        if (uint8 != null) {
            for (JsonElement n : uint8.getAsJsonArray("names")) {
                if (n.getAsString().equals(name)) {
                    return uint8;
                }
            }
        }
        return tolerance;
    }

    static OutputCheck compareOne(String name, HostTensor produced, HostTensor reference, JsonObject rule) {
        String shapeProblem = shapeProblem(produced, reference);
        if (shapeProblem != null) {
            return OutputCheck.failure(name, shapeProblem);
        }
        double[] y = produced.toDoubleArray();
        double[] r = reference.toDoubleArray();
        Errors e = Errors.of(y, r);
        List<String> violations = new ArrayList<>();
        if (rule.has("exact") && rule.get("exact").getAsBoolean()) {
            if (e.mismatches > 0) {
                violations.add(e.mismatches + " of " + y.length + " values differ");
            }
        }
        if (rule.has("quality")) {
            double rmse = Math.sqrt(e.sumSquaredError / Math.max(1, y.length));
            double limit = rule.get("rmse_max").getAsDouble();
            String detail = String.format("rmse=%.4g (limit %.4g)", rmse, limit);
            return new OutputCheck(name, rmse <= limit, e.maxAbs, e.relL2(), detail);
        }
        limit(violations, "max_abs", e.maxAbs, rule);
        limit(violations, "rel_l2", e.relL2(), rule);
        if (rule.has("rel") && e.worstRelative > rule.get("rel").getAsDouble()) {
            violations.add(String.format("|y-r|/|r| = %.3g > rel %s", e.worstRelative, rule.get("rel").getAsString()));
        }
        if (rule.has("max_abs_rel")) {
            double allowed = rule.get("max_abs_rel").getAsDouble() * e.maxAbsReference;
            if (e.maxAbs > allowed) {
                violations.add(String.format("max_abs %.3g > max_abs_rel*max|r| = %.3g", e.maxAbs, allowed));
            }
        }
        if (rule.has("max_mismatch_fraction")) {
            double fraction = (double) e.mismatches / Math.max(1, y.length);
            if (fraction > rule.get("max_mismatch_fraction").getAsDouble()) {
                violations.add(String.format("%.4g of values differ (limit %s)", fraction,
                        rule.get("max_mismatch_fraction").getAsString()));
            }
        }
        return new OutputCheck(name, violations.isEmpty(), e.maxAbs, e.relL2(), String.join("; ", violations));
    }

    static void limit(List<String> violations, String key, double value, JsonObject rule) {
        if (rule.has(key)) {
            double allowed = rule.get(key).getAsDouble();
            if (!(value <= allowed)) {
                violations.add(String.format("%s %.3g > %s", key, value, rule.get(key).getAsString()));
            }
        }
    }

    static String shapeProblem(HostTensor produced, HostTensor reference) {
        long[] a = produced.shape();
        long[] b = reference.shape();
        boolean scalars = produced.numel() == 1 && reference.numel() == 1;
        if (!Arrays.equals(a, b) && !scalars) {
            return "shape " + Arrays.toString(a) + " but the reference is " + Arrays.toString(b);
        }
        return null;
    }

    private record Errors(double maxAbs, double sumSquaredError, double sumSquaredReference,
            double maxAbsReference, double worstRelative, long mismatches) {

        static Errors of(double[] y, double[] r) {
            double maxAbs = 0;
            double se = 0;
            double sr = 0;
            double maxRef = 0;
            double worstRelative = 0;
            long mismatches = 0;
            for (int i = 0; i < y.length; i++) {
                double d = Math.abs(y[i] - r[i]);
                if (Double.isNaN(d)) {
                    d = Double.POSITIVE_INFINITY;
                }
                if (y[i] != r[i]) {
                    mismatches++;
                }
                maxAbs = Math.max(maxAbs, d);
                if (d > 0) {
                    worstRelative = Math.max(worstRelative, d / Math.abs(r[i]));
                }
                se += d * d;
                sr += r[i] * r[i];
                maxRef = Math.max(maxRef, Math.abs(r[i]));
            }
            return new Errors(maxAbs, se, sr, maxRef, worstRelative, mismatches);
        }

        double relL2() {
            if (sumSquaredReference == 0) {
                return sumSquaredError == 0 ? 0 : Double.POSITIVE_INFINITY;
            }
            return Math.sqrt(sumSquaredError / sumSquaredReference);
        }
    }
}
