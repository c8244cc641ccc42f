package org.diffij.schedulers;

import org.diffij.DiffijException;

/** What the denoising model predicts ({@code prediction_type}): the noise, the velocity, or the clean sample. */
public enum PredictionType {
    EPSILON("epsilon"),
    V_PREDICTION("v_prediction"),
    SAMPLE("sample");

    private final String key;

    PredictionType(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    static PredictionType of(String value) {
        for (PredictionType type : values()) {
            if (type.key.equals(value)) {
                return type;
            }
        }
        throw new DiffijException("scheduler config: prediction_type '" + value
                + "' is not supported; use epsilon, v_prediction or sample");
    }
}
