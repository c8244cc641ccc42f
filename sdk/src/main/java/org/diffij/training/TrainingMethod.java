package org.diffij.training;

import ai.djl.ndarray.NDArray;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.diffij.pipelines.StableDiffusionModel;
import org.diffij.schedulers.NoiseSchedule;
import org.diffij.text.ClipTokenizer;

/**
 * What one training method adds to the shared {@link Trainer}: the tensors it trains, how the
 * forward pass sees them, how captions are written for it, and how the result is saved. The trainer
 * owns everything else (data, latents, noise, optimiser, schedule, checkpoints, progress).
 */
public interface TrainingMethod {

    /** The trained tensors by name, in a fixed order: what the optimiser updates and a checkpoint holds. */
    Map<String, NDArray> trained();

    /** Whether a trained tensor belongs to a text encoder (it then learns at the text-encoder rate). */
    boolean isTextEncoder(String name);

    /** The trained tensors as the objective's forward pass uses them. */
    DenoisingObjective.Trainables trainables();

    /** The tokenizer captions are encoded with (textual inversion adds its tokens to it). */
    ClipTokenizer tokenizer();

    /** SDXL's second tokenizer, likewise; null for models with one text encoder. */
    ClipTokenizer tokenizer2();

    /** The noise schedule training draws noisy latents from: the model's DDPM schedule, as diffusers' scripts use. */
    default NoiseSchedule noiseSchedule(StableDiffusionModel model) {
        return NoiseSchedule.forTraining(model.schedulerConfig());
    }

    /** A caption as this method trains on it; textual inversion spreads its token over its vectors. */
    default String caption(String caption) {
        return caption;
    }

    /** What the run will hold in memory; an adapter's estimate unless the method says otherwise. */
    default TrainingMemory memory(StableDiffusionModel model, TrainingRequest request, int largestWidth,
            int largestHeight) {
        return TrainingMemory.estimate(model, trained().values().stream().mapToLong(NDArray::size).sum(), request,
                largestWidth, largestHeight);
    }

    /**
     * The prior-preservation rows appended to a micro-batch of {@code instances} (DreamBooth), empty for
     * none. {@code batchIndex} counts micro-batches from the run's start, so that a resumed run draws
     * the same rows.
     */
    default List<TrainingData.Sample> priorSamples(List<TrainingData.Sample> instances, long batchIndex) {
        return List.of();
    }

    /** How the objective treats the {@code rows} prior rows {@link #priorSamples} gave. */
    default DenoisingObjective.PriorPreservation priorPreservation(int rows) {
        throw new IllegalStateException("this method adds no prior-preservation rows");
    }

    /**
     * The files {@link #save} writes for {@code output}: the first format's at {@code output}, the
     * others beside it. Fails at once when the output's name does not suit the first format.
     */
    List<Path> files(Path output, List<String> formats);

    /**
     * Writes the trained result in every format to {@link #files}, each file atomically, with the
     * run's provenance where the format has a place for it; refuses (writing nothing) when one of the
     * files exists unless {@code overwrite}. Returns the files written.
     */
    List<Path> save(Path output, List<String> formats, TrainingProvenance provenance, boolean overwrite);
}
