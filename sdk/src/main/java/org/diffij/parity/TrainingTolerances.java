package org.diffij.parity;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.diffij.io.HostTensor;
import org.diffij.io.WeightSet;

/**
 * Per-output tolerance rules (the {@code training} area): the first rule one of whose {@code outputs}
 * glob patterns (fnmatch) matches an output's name judges it. A rule checks {@code exact},
 * {@code max_abs}, {@code rel_l2}, {@code rel} ({@code |y - r| <= rel |r|} per element) and
 * {@code max_abs_rel} ({@code max|y - r| <= max_abs_rel max|r|}) as given; {@code compare: "update"}
 * judges an optimiser-updated value by its update {@code u = value - base}: {@code max_abs} on the
 * value, {@code update_rel_l2} per tensor, and {@code update_rel_l2_all} over all tensors one pattern
 * matched together.
 */
public final class TrainingTolerances {

    private TrainingTolerances() {
    }

    /** The checks of every output of the case (a missing one fails), judged by {@code rules}. */
    public static List<OutputCheck> compare(GoldenCase golden, Map<String, HostTensor> produced, JsonArray rules) {
        List<OutputCheck> checks = new ArrayList<>();
        Map<String, double[]> updateTotals = new LinkedHashMap<>();
        for (String name : golden.outputNames()) {
            Match match = firstMatch(rules, name);
            if (match == null) {
                checks.add(OutputCheck.failure(name, "no tolerance rule matches this output"));
                continue;
            }
            HostTensor y = produced.get(name);
            if (y == null) {
                checks.add(OutputCheck.failure(name, "not produced"));
                continue;
            }
            HostTensor reference = golden.expected(name);
            if (match.rule.has("compare") && match.rule.get("compare").getAsString().equals("update")) {
                checks.add(compareUpdate(golden, name, y, reference, match.rule,
                        updateTotals.computeIfAbsent(match.index + "\u0000" + match.pattern, k -> new double[2])));
            } else {
                checks.add(Tolerances.compareOne(name, y, reference, match.rule));
            }
        }
        for (Map.Entry<String, double[]> total : updateTotals.entrySet()) {
            String[] key = total.getKey().split("\u0000", 2);
            JsonObject rule = rules.get(Integer.parseInt(key[0])).getAsJsonObject();
            if (rule.has("update_rel_l2_all")) {
                double[] sums = total.getValue();
                double all = sums[1] == 0 ? (sums[0] == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(sums[0] / sums[1]);
                double allowed = rule.get("update_rel_l2_all").getAsDouble();
                checks.add(new OutputCheck(key[1] + " (all updates)", all <= allowed, Double.NaN, all,
                        all <= allowed ? "" : String.format("update_rel_l2_all %.3g > %s", all,
                                rule.get("update_rel_l2_all").getAsString())));
            }
        }
        return checks;
    }

    private static OutputCheck compareUpdate(GoldenCase golden, String name, HostTensor produced,
            HostTensor reference, JsonObject rule, double[] totals) {
        String shapeProblem = Tolerances.shapeProblem(produced, reference);
        if (shapeProblem != null) {
            return OutputCheck.failure(name, shapeProblem);
        }
        HostTensor base = updateBase(golden, name, rule.get("base").getAsString());
        if (base == null) {
            return OutputCheck.failure(name, "the update base " + rule.get("base").getAsString()
                    + " is not available to the harness");
        }
        double[] y = produced.toDoubleArray();
        double[] r = reference.toDoubleArray();
        double[] b = base.toDoubleArray();
        double maxAbs = 0;
        double diff2 = 0;
        double ref2 = 0;
        for (int i = 0; i < y.length; i++) {
            double d = Math.abs(y[i] - r[i]);
            maxAbs = Math.max(maxAbs, Double.isNaN(d) ? Double.POSITIVE_INFINITY : d);
            double uy = y[i] - b[i];
            double ur = r[i] - b[i];
            diff2 += (uy - ur) * (uy - ur);
            ref2 += ur * ur;
        }
        totals[0] += diff2;
        totals[1] += ref2;
        double updateRel = ref2 == 0 ? (diff2 == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(diff2 / ref2);
        List<String> violations = new ArrayList<>();
        Tolerances.limit(violations, "max_abs", maxAbs, rule);
        Tolerances.limit(violations, "update_rel_l2", updateRel, rule);
        return new OutputCheck(name, violations.isEmpty(), maxAbs, updateRel, String.join("; ", violations));
    }

    /**
     * The base of an update comparison: a pattern ending in {@code *} ({@code in.init.*}) names the case
     * tensor with the output's name after its first dot; {@code model:<component>.*} the weight of that
     * name in the component folder of the case's model (DreamBooth's initial values); any other names
     * one tensor ({@code in.param0}).
     */
    private static HostTensor updateBase(GoldenCase golden, String outputName, String basePattern) {
        if (!basePattern.endsWith("*")) {
            return golden.hasTensor(basePattern) ? golden.tensor(basePattern) : null;
        }
        String prefix = basePattern.substring(0, basePattern.length() - 1);
        int dot = outputName.indexOf('.');
        String suffix = dot >= 0 ? outputName.substring(dot + 1) : outputName;
        if (prefix.startsWith(MODEL_BASE)) {
            String component = prefix.substring(MODEL_BASE.length(), prefix.length() - 1);
            try (WeightSet weights = WeightSet.openFolder(golden.modelPath().resolve(component))) {
                return weights.contains(suffix) ? weights.read(suffix) : null;
            }
        }
        String candidate = prefix + suffix;
        return golden.hasTensor(candidate) ? golden.tensor(candidate) : null;
    }

    private static final String MODEL_BASE = "model:";

    private record Match(int index, String pattern, JsonObject rule) {
    }

    private static Match firstMatch(JsonArray rules, String name) {
        for (int i = 0; i < rules.size(); i++) {
            JsonObject rule = rules.get(i).getAsJsonObject();
            for (JsonElement pattern : rule.getAsJsonArray("outputs")) {
                if (glob(pattern.getAsString()).matcher(name).matches()) {
                    return new Match(i, pattern.getAsString(), rule);
                }
            }
        }
        return null;
    }

    /** fnmatch as Python's: {@code *} any text, {@code ?} one character, everything else literal. */
    static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }
}
