package org.diffij.schedulers;

/**
 * The clean sample x0 and the noise eps that an alpha-parameterised model output implies at alpha_bar
 * {@code alpha}, for each prediction type, x0 clipped when the config asks for it (the noise is not
 * recomputed from the clipped x0, as in diffusers' default).
 */
record AlphaPrediction(float[] original, float[] epsilon) {

    static AlphaPrediction of(SchedulerConfig config, float[] modelOutput, float[] sample, double alpha) {
        double signal = Math.sqrt(alpha);
        double spread = Math.sqrt(1 - alpha);
        AlphaPrediction raw = switch (config.predictionType()) {
            case EPSILON -> new AlphaPrediction(
                    Elementwise.map(sample, modelOutput, (x, e) -> (x - spread * e) / signal), modelOutput);
            case V_PREDICTION -> new AlphaPrediction(
                    Elementwise.map(sample, modelOutput, (x, v) -> signal * x - spread * v),
                    Elementwise.map(sample, modelOutput, (x, v) -> signal * v + spread * x));
            case SAMPLE -> new AlphaPrediction(modelOutput,
                    Elementwise.map(sample, modelOutput, (x, x0) -> (x - signal * x0) / spread));
        };
        if (!config.clipSample()) {
            return raw;
        }
        return new AlphaPrediction(Elementwise.clamp(raw.original(), config.clipSampleRange()), raw.epsilon());
    }
}
