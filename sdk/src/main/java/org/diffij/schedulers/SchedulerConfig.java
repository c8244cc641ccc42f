package org.diffij.schedulers;

import org.diffij.DiffijException;

/**
 * The settings every scheduler shares, read from a resolved {@code scheduler_config.json} (see
 * {@link SchedulerType#resolve}). Keys a scheduler class does not have take the value that leaves
 * them without effect. Thresholding (dynamic, for pixel-space models) is not supported.
 */
public record SchedulerConfig(
        int numTrainTimesteps,
        double betaStart,
        double betaEnd,
        String betaSchedule,
        double[] trainedBetas,
        int stepsOffset,
        TimestepSpacing timestepSpacing,
        PredictionType predictionType,
        boolean clipSample,
        double clipSampleRange,
        boolean setAlphaToOne,
        boolean useKarrasSigmas,
        boolean rescaleBetasZeroSnr,
        String finalSigmasType) {

    static SchedulerConfig read(ConfigJson json) {
        if (json.bool("thresholding", false)) {
            throw new DiffijException("scheduler config: thresholding (dynamic thresholding for pixel-space models) "
                    + "is not supported; set \"thresholding\": false");
        }
        int trainSteps = json.integer("num_train_timesteps");
        if (trainSteps < 2 || trainSteps > 100_000) {
            throw new DiffijException("scheduler config: num_train_timesteps must be between 2 and 100000, got "
                    + trainSteps);
        }
        double[] trainedBetas = json.optionalNumbers("trained_betas");
        if (trainedBetas != null && trainedBetas.length != trainSteps) {
            throw new DiffijException("scheduler config: trained_betas has " + trainedBetas.length
                    + " values but num_train_timesteps is " + trainSteps);
        }
        return new SchedulerConfig(
                trainSteps,
                json.number("beta_start"),
                json.number("beta_end"),
                json.choice("beta_schedule", "linear", "linear", "scaled_linear", "squaredcos_cap_v2"),
                trainedBetas,
                json.integer("steps_offset"),
                TimestepSpacing.of(json.string("timestep_spacing", "leading")),
                PredictionType.of(json.string("prediction_type", "epsilon")),
                json.bool("clip_sample", false),
                json.has("clip_sample_range") ? json.number("clip_sample_range") : 1.0,
                json.bool("set_alpha_to_one", false),
                json.bool("use_karras_sigmas", false),
                json.bool("rescale_betas_zero_snr", false),
                json.choice("final_sigmas_type", "zero", "zero", "sigma_min"));
    }
}
