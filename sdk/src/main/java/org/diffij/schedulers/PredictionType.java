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

    /**
     * The model output converted, for a sample at noise level {@code sigma} of a variance-preserving
     * schedule ({@code alpha = 1 / sqrt(sigma^2 + 1)}), to the clean sample x0 ({@code toData}) or to the
     * noise eps: the parameterisation multistep solvers (DPM-Solver, UniPC) work in.
     */
    float[] convert(float[] modelOutput, float[] sample, double sigma, boolean toData) {
        double alpha = 1 / Math.sqrt(sigma * sigma + 1);
        double sigmaT = sigma * alpha;
        if (toData) {
            return switch (this) {
                case EPSILON -> Elementwise.map(sample, modelOutput, (x, e) -> (x - sigmaT * e) / alpha);
                case V_PREDICTION -> Elementwise.map(sample, modelOutput, (x, v) -> alpha * x - sigmaT * v);
                case SAMPLE -> modelOutput;
            };
        }
        return switch (this) {
            case EPSILON -> modelOutput;
            case V_PREDICTION -> Elementwise.map(sample, modelOutput, (x, v) -> alpha * v + sigmaT * x);
            case SAMPLE -> Elementwise.map(sample, modelOutput, (x, x0) -> (x - alpha * x0) / sigmaT);
        };
    }

    public static PredictionType of(String value) {
        for (PredictionType type : values()) {
            if (type.key.equals(value)) {
                return type;
            }
        }
        throw new DiffijException("scheduler config: prediction_type '" + value
                + "' is not supported; use epsilon, v_prediction or sample");
    }
}
