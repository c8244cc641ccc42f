package org.diffij.pipelines;

import org.diffij.DiffijException;

/**
 * One ControlNet of a request: which conditioning (e.g. {@code canny}), its model, the control
 * image's source, the conditioning scale, and the fraction of the steps during which it acts.
 */
public record Control(String type, String model, String image, double scale, double start, double end) {

    public Control {
        require(type, "type");
        require(model, "model");
        require(image, "image");
        if (!(scale >= 0 && scale <= 10)) {
            throw new DiffijException("control scale must lie in 0..10, not " + scale);
        }
        if (!(start >= 0 && start <= end && end <= 1)) {
            throw new DiffijException("control start/end must satisfy 0 <= start <= end <= 1, not " + start + "/" + end);
        }
    }

    private static void require(String value, String what) {
        if (value == null || value.isBlank() || value.contains("|") || value.contains(";")) {
            throw new DiffijException("control " + what + " must be a non-empty name without '|' or ';', not '"
                    + value + "'");
        }
    }
}
