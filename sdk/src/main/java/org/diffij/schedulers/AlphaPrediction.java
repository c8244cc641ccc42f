package org.diffij.schedulers;

import org.diffij.DiffijException;

/**
 * The clean sample x0 and the noise eps that an alpha-parameterised model output implies at alpha_bar
 * {@code alpha}, for each prediction type, x0 clipped when the config asks for it (the noise is not
 * recomputed from the clipped x0, as in diffusers' default).
 */
record AlphaPrediction(float[] original, float[] epsilon) {

    static AlphaPrediction of(SchedulerConfig config, float[] modelOutput, float[] sample, double alpha) {
        double signal = Math.sqrt(alpha);
        double spread = Math.sqrt(1 - alpha);
        float[] original;
        float[] epsilon;
        switch (config.predictionType()) {
            case EPSILON -> {
                original = Elementwise.map(sample, modelOutput, (x, e) -> (x - spread * e) / signal);
                epsilon = modelOutput;
            }
            case V_PREDICTION -> {
                original = Elementwise.map(sample, modelOutput, (x, v) -> signal * x - spread * v);
                epsilon = Elementwise.map(sample, modelOutput, (x, v) -> signal * v + spread * x);
            }
            case SAMPLE -> {
                original = modelOutput;
                epsilon = Elementwise.map(sample, modelOutput, (x, x0) -> (x - signal * x0) / spread);
            }
            default -> throw new DiffijException("unsupported prediction type " + config.predictionType());
        }
        if (config.clipSample()) {
            original = Elementwise.clamp(original, config.clipSampleRange());
        }
        return new AlphaPrediction(original, epsilon);
    }
}
