package org.diffij.parity;

import java.util.List;
import java.util.Locale;

/** The outcome of one case: status, the checks of its outputs, and how long it took. */
public record CaseResult(String id, Status status, List<OutputCheck> checks, String message, double seconds) {

    public enum Status { PASS, FAIL, SKIP }

    /** The worst max-abs and relative-L2 errors over the case's outputs. */
    public double worstMaxAbs() {
        return checks.stream().mapToDouble(OutputCheck::maxAbs).filter(d -> !Double.isNaN(d)).max().orElse(0);
    }

    public double worstRelL2() {
        return checks.stream().mapToDouble(OutputCheck::relL2).filter(d -> !Double.isNaN(d)).max().orElse(0);
    }

    /** One line: {@code PASS id max_abs=... rel_l2=... (0.12 s)}, or the reason for FAIL/SKIP. */
    public String line() {
        if (status == Status.SKIP) {
            return "SKIP " + id + " (" + message + ")";
        }
        String errors = checks.isEmpty() ? "" : String.format(Locale.ROOT, " max_abs=%.3g rel_l2=%.3g",
                worstMaxAbs(), worstRelL2());
        String reason = message == null || message.isEmpty() ? "" : " " + message;
        return String.format(Locale.ROOT, "%s %s%s (%.2f s)%s", status, id, errors, seconds, reason);
    }
}
