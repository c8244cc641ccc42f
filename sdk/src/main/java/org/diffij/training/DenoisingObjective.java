package org.diffij.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.diffij.models.clip.ClipTextOutput;
import org.diffij.models.clip.ClipTextModel;
import org.diffij.models.unet.AddedConditions;
import org.diffij.models.unet.UNet2DConditionModel;
import org.diffij.nn.Autograd;
import org.diffij.nn.GradientCheckpoints;
import org.diffij.nn.KeyValueContexts;
import org.diffij.nn.ScalarOps;
import org.diffij.nn.LowRankBranches;
import org.diffij.schedulers.NoiseSchedule;
import org.diffij.schedulers.PredictionType;

/**
 * The loss every diffusers training script minimises: noise the latents to the batch's timesteps,
 * condition the UNet on the captions' text encoding and compare its prediction with the noise (ε
 * models) or the velocity (v models) by mean squared error, optionally weighted per sample by
 * min-SNR-γ and restricted to a loss mask. What is trained enters as run-time LoRA branches, added
 * token rows or a hypernetwork's context transform; full fine-tuning trains the models' own
 * parameter trees. A1111's hypernetwork training computes this same loss (LDM's {@code p_losses}
 * with no ELBO term) on LDM's noise schedule.
 */
public final class DenoisingObjective {

    /**
     * One batch. {@code latents} are already scaled by the VAE's scaling factor; {@code lossMask}
     * (batch, 1, h, w) in latent resolution is 1 where the loss counts, or null for everywhere. SDXL
     * adds the second tokenizer's ids and the size/crop ids {@code (batch, 6)}: original height and
     * width, crop top and left, target height and width. {@code prior}, when not null, says that the
     * batch's last rows are prior-preservation examples (DreamBooth).
     */
    public record Batch(NDArray latents, NDArray noise, NDArray timesteps, NDArray inputIds, NDArray lossMask,
            NDArray inputIds2, NDArray timeIds, PriorPreservation prior) {

        /** A batch of a model with one text encoder (SD 1.x / 2.x). */
        public Batch(NDArray latents, NDArray noise, NDArray timesteps, NDArray inputIds, NDArray lossMask) {
            this(latents, noise, timesteps, inputIds, lossMask, null, null, null);
        }

        /** A batch without prior-preservation rows. */
        public Batch(NDArray latents, NDArray noise, NDArray timesteps, NDArray inputIds, NDArray lossMask,
                NDArray inputIds2, NDArray timeIds) {
            this(latents, noise, timesteps, inputIds, lossMask, inputIds2, timeIds, null);
        }

        /** This batch with its last rows marked as prior-preservation examples. */
        public Batch withPrior(PriorPreservation prior) {
            return new Batch(latents, noise, timesteps, inputIds, lossMask, inputIds2, timeIds, prior);
        }
    }

    /**
     * DreamBooth's prior preservation, as diffusers' {@code train_dreambooth.py} computes it: the
     * batch's last {@code rows} rows are class examples and the loss is the instance rows' loss plus
     * {@code weight} times the class rows' plain MSE. With a {@code baseUNet} (the frozen base model,
     * OneTrainer's prior prediction) the class rows' target is that model's prediction on the same
     * input instead of the noise, so no class images are needed.
     */
    public record PriorPreservation(int rows, double weight, UNet2DConditionModel baseUNet) {

        public PriorPreservation(int rows, double weight) {
            this(rows, weight, null);
        }
    }

    /**
     * Everything one evaluation computed; {@code snr} and {@code weights} are null without min-SNR,
     * {@code instanceLoss} and {@code priorLoss} without prior preservation ({@code loss} is then
     * {@code instanceLoss + weight * priorLoss}).
     */
    public record Result(NDArray noisy, NDArray target, NDArray encoderHiddenStates, NDArray prediction,
            NDArray loss, NDArray snr, NDArray weights, NDArray instanceLoss, NDArray priorLoss) {
    }

    /**
     * What is being trained, as the forward pass sees it: LoRA adapters, textual inversion's new
     * token rows of the (first) text encoder and, for SDXL, of the second, and a hypernetwork's
     * key/value context transform of the UNet's attention.
     */
    public record Trainables(LoraNetwork lora, NDArray addedTokenRows, NDArray addedTokenRows2,
            KeyValueContexts.Transform unetContexts) {
        public static final Trainables NONE = new Trainables(null, null, null, null);

        public Trainables(LoraNetwork lora, NDArray addedTokenRows) {
            this(lora, addedTokenRows, null, null);
        }

        public Trainables(LoraNetwork lora, NDArray addedTokenRows, NDArray addedTokenRows2) {
            this(lora, addedTokenRows, addedTokenRows2, null);
        }
    }

    private final UNet2DConditionModel unet;
    private final ClipTextModel textEncoder;
    private final ClipTextModel textEncoder2;
    private final NoiseSchedule schedule;
    private final PredictionType target;
    private final double snrGamma;
    private final boolean gradientCheckpointing;

    /** @param snrGamma min-SNR-γ, or 0 for plain MSE */
    public DenoisingObjective(UNet2DConditionModel unet, ClipTextModel textEncoder, NoiseSchedule schedule,
            PredictionType target, double snrGamma) {
        this(unet, textEncoder, null, schedule, target, snrGamma);
    }

    /**
     * @param textEncoder2 SDXL's second encoder (with projection), null for SD 1.x / 2.x
     * @param snrGamma     min-SNR-γ, or 0 for plain MSE
     */
    public DenoisingObjective(UNet2DConditionModel unet, ClipTextModel textEncoder, ClipTextModel textEncoder2,
            NoiseSchedule schedule, PredictionType target, double snrGamma) {
        this(unet, textEncoder, textEncoder2, schedule, target, snrGamma, false);
    }

    private DenoisingObjective(UNet2DConditionModel unet, ClipTextModel textEncoder, ClipTextModel textEncoder2,
            NoiseSchedule schedule, PredictionType target, double snrGamma, boolean gradientCheckpointing) {
        this.unet = unet;
        this.textEncoder = textEncoder;
        this.textEncoder2 = textEncoder2;
        this.schedule = schedule;
        this.target = target;
        this.snrGamma = snrGamma;
        this.gradientCheckpointing = gradientCheckpointing;
    }

    /**
     * This objective with the UNet's forward checkpointed per block (or not): its activations are
     * recomputed during backward instead of kept, for about one more forward pass of time per step.
     */
    public DenoisingObjective withGradientCheckpointing(boolean on) {
        return new DenoisingObjective(unet, textEncoder, textEncoder2, schedule, target, snrGamma, on);
    }

    public PredictionType target() {
        return target;
    }

    public Result evaluate(Batch batch, Trainables trained) {
        NDArray noisy = schedule.addNoise(batch.latents(), batch.noise(), batch.timesteps());
        NDArray goal = target == PredictionType.V_PREDICTION
                ? schedule.velocity(batch.latents(), batch.noise(), batch.timesteps()) : batch.noise();
        NDArray timesteps = batch.timesteps().toType(DataType.FLOAT32, false);
        NDArray ehs;
        AddedConditions added = null;
        if (textEncoder2 == null) {
            ehs = withBranches(trained.lora(), "text_encoder",
                    () -> textEncoder.forward(batch.inputIds(), trained.addedTokenRows()).lastHiddenState());
        } else {
            // SDXL, as its training scripts condition it: both encoders' penultimate hidden states side by
            // side, the second encoder's projected pooled output and the size/crop ids.
            ClipTextOutput first = withBranches(trained.lora(), "text_encoder",
                    () -> textEncoder.forward(batch.inputIds(), trained.addedTokenRows()));
            ClipTextOutput second = withBranches(trained.lora(), "text_encoder_2",
                    () -> textEncoder2.forward(batch.inputIds2(), trained.addedTokenRows2()));
            ehs = NDArrays.concat(new NDList(first.hiddenState(-2), second.hiddenState(-2)), -1);
            added = new AddedConditions(second.textEmbeds(), batch.timeIds());
        }
        NDArray context = ehs;
        AddedConditions conditions = added;
        Supplier<NDArray> forward = () -> unet.forward(noisy, timesteps, context, conditions, null);
        Function<Supplier<NDArray>, NDArray> adapted = f -> withBranches(trained.lora(), "unet",
                trained.unetContexts() == null ? f : () -> KeyValueContexts.applying(List.of(trained.unetContexts()), f));
        NDArray prediction = gradientCheckpointing && Autograd.recording()
                ? GradientCheckpoints.run(noisy.getManager(), () -> adapted.apply(forward), recompute -> adapted.apply(
                        () -> {
                            recompute.run();
                            return null;
                        }))
                : adapted.apply(forward);
        PriorPreservation prior = batch.prior();
        if (prior == null) {
            Losses instance = instanceLoss(prediction, goal, batch.lossMask(), batch.timesteps());
            return new Result(noisy, goal, ehs, prediction, instance.loss(), instance.snr(), instance.weights(), null,
                    null);
        }
        long rows = prediction.getShape().get(0);
        long instances = rows - prior.rows();
        if (prior.rows() < 1 || instances < 1) {
            throw new IllegalArgumentException("a prior-preservation batch needs instance and class rows, not "
                    + prior.rows() + " class rows of " + rows);
        }
        String first = ":" + instances;
        String last = instances + ":";
        if (prior.baseUNet() != null) {
            // The frozen model's prediction is a target, not part of the graph the trained weights learn through.
            NDArray base = Autograd.computeUntracked(() -> prior.baseUNet().forward(noisy.get(last),
                    timesteps.get(last), context.get(last).stopGradient(), conditions == null ? null
                    : new AddedConditions(conditions.textEmbeds().get(last).stopGradient(),
                            conditions.timeIds().get(last)), null));
            goal = NDArrays.concat(new NDList(goal.get(first), base), 0);
        }
        Losses instance = instanceLoss(prediction.get(first), goal.get(first),
                batch.lossMask() == null ? null : batch.lossMask().get(first), batch.timesteps().get(first));
        NDArray priorLoss = prediction.get(last).sub(goal.get(last)).square().mean();
        NDArray loss = instance.loss().add(ScalarOps.mul(priorLoss, prior.weight()));
        return new Result(noisy, goal, ehs, prediction, loss, instance.snr(), instance.weights(), instance.loss(),
                priorLoss);
    }

    private record Losses(NDArray loss, NDArray snr, NDArray weights) {
    }

    /** The mean squared error of the rows, masked and min-SNR-weighted as asked. */
    private Losses instanceLoss(NDArray prediction, NDArray goal, NDArray lossMask, NDArray rowTimesteps) {
        NDArray squared = prediction.sub(goal).square();
        long b = squared.getShape().get(0);
        NDArray perSample;
        if (lossMask == null) {
            perSample = squared.reshape(b, -1).mean(new int[] {1});
        } else {
            // The mean over the masked elements only: the rest of the image is context, not concept.
            NDArray mask = lossMask.broadcast(squared.getShape());
            perSample = squared.mul(mask).reshape(b, -1).sum(new int[] {1})
                    .div(mask.reshape(b, -1).sum(new int[] {1}).maximum(1f));
        }
        NDArray snr = null;
        NDArray weights = null;
        if (snrGamma > 0) {
            snr = schedule.snr(rowTimesteps);
            weights = schedule.minSnrWeights(rowTimesteps, snrGamma, target);
            perSample = perSample.mul(weights);
        }
        return new Losses(perSample.mean(), snr, weights);
    }

    private static <T> T withBranches(LoraNetwork lora, String component, Supplier<T> f) {
        if (lora == null || !lora.adapts(component)) {
            return f.get();
        }
        Map<String, List<LowRankBranches.Branch>> branches = lora.branches(component, 1f);
        return LowRankBranches.applying(branches, f);
    }
}
