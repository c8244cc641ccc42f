package org.diffij.parity.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import org.diffij.engine.JobContext;
import org.diffij.engine.Tensors;
import org.diffij.io.HostTensor;
import org.diffij.io.Json;
import org.diffij.models.clip.ClipTextModel;
import org.diffij.models.unet.UNet2DConditionModel;
import org.diffij.models.vae.AutoencoderKL;
import org.diffij.models.vae.LatentDistribution;
import org.diffij.nn.Autograd;
import org.diffij.nn.ParameterTree;
import org.diffij.parity.GoldenCase;
import org.diffij.schedulers.NoiseSchedule;
import org.diffij.schedulers.PredictionType;
import org.diffij.text.ClipTokenizer;
import org.diffij.training.AdamW;
import org.diffij.training.DenoisingObjective;
import org.diffij.training.LoraNetwork;
import org.diffij.training.OptimizerStep;

/**
 * The single-step cases of LoRA ({@code lora_*}), textual inversion ({@code textual_inversion_*}) and
 * DreamBooth ({@code dreambooth_*}):
 * the golden batch through Diffij's objective and optimiser step three times, reporting the
 * intermediates, the first gradients, the norms and the trained tensors after steps 1 and 3.
 */
final class StepCases {

    private static final int STEPS = 3;

    private StepCases() {
    }

    /** The frozen parts of the case's model, loaded privately in float32. */
    private record Model(UNet2DConditionModel unet, AutoencoderKL vae, ClipTextModel textEncoder, ClipTokenizer tokenizer,
            NoiseSchedule schedule) {

        static Model load(GoldenCase golden, NDManager m) {
            Path folder = golden.manifest().modelPath(golden.params().get("model").getAsString());
            return new Model(UNet2DConditionModel.load(folder.resolve("unet"), m, DataType.FLOAT32),
                    AutoencoderKL.load(folder.resolve("vae"), m, DataType.FLOAT32),
                    ClipTextModel.load(folder.resolve("text_encoder"), m, DataType.FLOAT32),
                    ClipTokenizer.load(folder.resolve("tokenizer")),
                    NoiseSchedule.forTraining(Json.readObject(folder.resolve("scheduler/scheduler_config.json"))));
        }

        /** The scripts' {@code latent_dist.sample() * scaling_factor} with the recorded draw. */
        NDArray latents(GoldenCase golden, NDManager m) {
            NDArray pixels = Tensors.toNDArray(m, golden.input("pixel_values"), DataType.FLOAT32);
            LatentDistribution d = vae.encode(pixels);
            NDArray draw = Tensors.toNDArray(m, golden.input("vae_noise"), DataType.FLOAT32);
            return d.mean().add(d.std().mul(draw)).mul(vae.config().scalingFactor());
        }
    }

    static Map<String, HostTensor> lora(GoldenCase golden, JobContext ctx) {
        NDManager m = ctx.manager();
        JsonObject p = golden.params();
        Model model = Model.load(golden, m);
        Map<String, ParameterTree> components = Map.of("unet", model.unet().parameters(), "text_encoder",
                model.textEncoder().parameters());
        Map<String, NDArray> init = new LinkedHashMap<>();
        for (String name : golden.inputNames()) {
            if (name.startsWith("init.")) {
                init.put(name.substring("init.".length()), Tensors.toNDArray(m, golden.input(name), DataType.FLOAT32));
            }
        }
        int rank = (int) init.values().iterator().next().getShape().get(0);
        LoraNetwork lora = LoraNetwork.of(components, init,
                new LoraNetwork.Dimension(rank, p.get("lora_alpha").getAsFloat()), null, m);
        DenoisingObjective objective = objective(model, p);
        DenoisingObjective.Batch batch = new DenoisingObjective.Batch(model.latents(golden, m), input(golden, m, "noise"),
                Tensors.toNDArray(m, golden.input("timesteps"), DataType.INT64),
                Tensors.toNDArray(m, golden.input("input_ids"), DataType.INT64), null);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        out.put("latents", Tensors.toHost(batch.latents()));
        double maxNorm = p.get("gradient_clipping").getAsString().startsWith("none") ? 0
                : p.get("max_grad_norm").getAsDouble();
        OptimizerStep step = new OptimizerStep(new AdamW(m, settings(p)), maxNorm);
        Map<String, NDArray> trained = lora.parameters();
        steps(out, step, trained, p.get("lr").getAsDouble(),
                () -> objective.evaluate(batch, new DenoisingObjective.Trainables(lora, null)), maxNorm > 0,
                gradients -> gradients.forEach((name, g) -> out.put("grad." + name, Tensors.toHost(g))),
                k -> trained.forEach((name, value) -> out.put("step" + k + "." + name, Tensors.toHost(value))));
        return out;
    }

    static Map<String, HostTensor> textualInversion(GoldenCase golden, JobContext ctx) {
        NDManager m = ctx.manager();
        JsonObject p = golden.params();
        Model model = Model.load(golden, m);
        String token = p.get("placeholder_token").getAsString();
        int vectors = p.get("num_vectors").getAsInt();
        int vocab = model.textEncoder().config().vocabSize();
        Map<String, Integer> added = new LinkedHashMap<>();
        for (int i = 0; i < vectors; i++) {
            added.put(i == 0 ? token : token + "_" + i, vocab + i);
        }
        ClipTokenizer tokenizer = model.tokenizer().withAddedTokens(added);
        long[] ids = tokenizer.encodePadded(p.get("caption").getAsString()).ids();
        NDArray table = model.textEncoder().parameters().get("text_model.embeddings.token_embedding.weight");
        int initializer = p.get("initializer_token_id").getAsInt();
        NDArray rows = table.get(initializer).reshape(1, -1).repeat(0, vectors).duplicate();
        rows.attach(m);
        Autograd.requireGradient(rows, true);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        out.put("init_rows", Tensors.toHost(rows));
        DenoisingObjective objective = objective(model, p);
        NDArray latents = model.latents(golden, m);
        out.put("latents", Tensors.toHost(latents));
        long batchSize = latents.getShape().get(0);
        long[] batchIds = new long[(int) (batchSize * ids.length)];
        for (int b = 0; b < batchSize; b++) {
            System.arraycopy(ids, 0, batchIds, b * ids.length, ids.length);
        }
        DenoisingObjective.Batch batch = new DenoisingObjective.Batch(latents, input(golden, m, "noise"),
                Tensors.toNDArray(m, golden.input("timesteps"), DataType.INT64),
                m.create(batchIds, new Shape(batchSize, ids.length)), null);
        out.put("input_ids", HostTensor.ofLongs(batchIds, batchSize, ids.length));
        // Adam acts per element, so AdamW on the new rows alone equals the scripts' AdamW on the whole
        // matrix followed by restoring every other row.
        OptimizerStep step = new OptimizerStep(new AdamW(m, settings(p)), 0);
        Map<String, NDArray> trained = Map.of("new_rows", rows);
        steps(out, step, trained, p.get("lr").getAsDouble(),
                () -> objective.evaluate(batch, new DenoisingObjective.Trainables(null, rows)), false,
                gradients -> out.put("grad.new_rows", Tensors.toHost(gradients.get("new_rows"))),
                k -> out.put("step" + k + ".new_rows", Tensors.toHost(rows)));
        // The script records neither the target (the noise itself) nor gradient norms for this method.
        out.keySet().retainAll(golden.outputNames());
        return out;
    }

    /**
     * DreamBooth ({@code dreambooth_*}): every UNet parameter trained on one batch of instance rows
     * followed by class rows, loss = instance MSE + prior_loss_weight x class MSE. The case records full
     * tensors for a few blocks and, for every parameter, the norms of its first gradient and of its
     * updates after steps 1 and 3.
     */
    static Map<String, HostTensor> dreamBooth(GoldenCase golden, JobContext ctx) {
        NDManager m = ctx.manager();
        JsonObject p = golden.params();
        Model model = Model.load(golden, m);
        ParameterTree unet = model.unet().parameters();
        unet.setTrainable("*", true);
        Map<String, NDArray> trained = unet.trainable();
        List<String> order = new ArrayList<>();
        p.getAsJsonArray("parameter_order").forEach(name -> order.add(name.getAsString()));
        Set<String> recorded = new HashSet<>();
        p.getAsJsonArray("recorded_parameters").forEach(name -> recorded.add(name.getAsString()));
        Map<String, NDArray> initial = new LinkedHashMap<>();
        Autograd.untracked(() -> trained.forEach((name, value) -> initial.put(name, value.duplicate())));
        NDArray ids = Tensors.toNDArray(m, golden.input("input_ids"), DataType.INT64);
        int classRows = (int) ids.getShape().get(0) / 2;
        DenoisingObjective.Batch batch = new DenoisingObjective.Batch(model.latents(golden, m),
                input(golden, m, "noise"), Tensors.toNDArray(m, golden.input("timesteps"), DataType.INT64), ids, null)
                .withPrior(new DenoisingObjective.PriorPreservation(classRows, p.get("prior_loss_weight")
                        .getAsDouble()));
        Map<String, HostTensor> out = new LinkedHashMap<>();
        out.put("latents", Tensors.toHost(batch.latents()));
        JsonElement maxNorm = p.get("max_grad_norm");
        boolean clipping = maxNorm != null && !maxNorm.isJsonNull();
        OptimizerStep step = new OptimizerStep(new AdamW(m, settings(p)), clipping ? maxNorm.getAsDouble() : 0);
        DenoisingObjective objective = objective(model, p);
        steps(out, step, trained, p.get("lr").getAsDouble(),
                () -> objective.evaluate(batch, DenoisingObjective.Trainables.NONE), clipping, gradients -> {
                    gradients.forEach((name, g) -> {
                        if (recorded.contains(name)) {
                            out.put("grad." + name, Tensors.toHost(g));
                        }
                    });
                    out.put("grad_norms_all", norms(order, name -> gradients.get(name)));
                }, k -> {
                    trained.forEach((name, value) -> {
                        if (recorded.contains(name)) {
                            out.put("step" + k + "." + name, Tensors.toHost(value));
                        }
                    });
                    try (NDManager scope = m.newSubManager()) {
                        out.put("update_norms_step" + k + "_all", norms(order, name -> {
                            NDArray update = trained.get(name).sub(initial.get(name));
                            update.attach(scope);
                            return update;
                        }));
                    }
                });
        out.keySet().retainAll(golden.outputNames());
        return out;
    }

    /** The L2 norm of each named tensor, in {@code order}, as one float32 vector. */
    private static HostTensor norms(List<String> order, Function<String, NDArray> tensor) {
        float[] norms = new float[order.size()];
        for (int i = 0; i < norms.length; i++) {
            NDArray t = tensor.apply(order.get(i));
            if (t == null) {
                throw new IllegalStateException(order.get(i) + " has no value to take the norm of");
            }
            norms[i] = (float) Math.sqrt(t.toType(DataType.FLOAT64, false).square().sum().getDouble());
        }
        return HostTensor.ofFloats(norms, norms.length);
    }

    /**
     * The case's {@value #STEPS} optimiser steps on its one batch, the loop every step case shares:
     * {@code firstGradients} sees the gradients of step 1 before clipping, {@code trainedAfter} is
     * called after steps 1 and {@value #STEPS} to record the trained values.
     */
    private static void steps(Map<String, HostTensor> out, OptimizerStep step, Map<String, NDArray> trained, double lr,
            Supplier<DenoisingObjective.Result> evaluate, boolean clipping,
            Consumer<Map<String, NDArray>> firstGradients, IntConsumer trainedAfter) {
        for (int k = 1; k <= STEPS; k++) {
            int current = k;
            DenoisingObjective.Result[] result = new DenoisingObjective.Result[1];
            OptimizerStep.Report report = step.step(trained, () -> {
                result[0] = evaluate.get();
                return result[0].loss();
            }, 1, lr, gradients -> {
                if (current == 1) {
                    firstGradients.accept(gradients);
                }
            });
            record(out, k, result[0], report, clipping);
            if (k == 1 || k == STEPS) {
                trainedAfter.accept(k);
            }
        }
    }

    private static DenoisingObjective objective(Model model, JsonObject p) {
        JsonElement type = p.get("prediction_type");
        PredictionType target = type == null || type.isJsonNull() ? model.schedule().predictionType()
                : PredictionType.of(type.getAsString());
        JsonElement gamma = p.get("snr_gamma");
        return new DenoisingObjective(model.unet(), model.textEncoder(), model.schedule(), target,
                gamma == null || gamma.isJsonNull() ? 0 : gamma.getAsDouble());
    }

    private static void record(Map<String, HostTensor> out, int k, DenoisingObjective.Result r,
            OptimizerStep.Report report, boolean clipping) {
        String suffix = k == 1 ? "" : "_step" + k;
        if (k == 1) {
            out.put("noisy_latents", Tensors.toHost(r.noisy()));
            out.put("target", Tensors.toHost(r.target()));
            out.put("encoder_hidden_states", Tensors.toHost(r.encoderHiddenStates()));
            out.put("model_pred", Tensors.toHost(r.prediction()));
            if (r.snr() != null) {
                out.put("snr", Tensors.toHost(r.snr()));
                out.put("mse_loss_weights", Tensors.toHost(r.weights()));
            }
            if (r.priorLoss() != null) {
                long instances = r.prediction().getShape().get(0) / 2;
                out.put("model_pred_instance", Tensors.toHost(r.prediction().get(":" + instances)));
                out.put("model_pred_prior", Tensors.toHost(r.prediction().get(instances + ":")));
            }
        }
        out.put("loss" + suffix, HostTensor.scalar((float) report.loss()));
        if (r.priorLoss() != null) {
            out.put("instance_loss" + suffix, Tensors.toHost(r.instanceLoss()));
            out.put("prior_loss" + suffix, Tensors.toHost(r.priorLoss()));
        }
        out.put("grad_norm_step" + k, HostTensor.scalar((float) report.gradientNorm()));
        if (clipping) {
            out.put("clip_coef_step" + k, HostTensor.scalar((float) report.clipCoefficient()));
        }
    }

    private static NDArray input(GoldenCase golden, NDManager m, String name) {
        return Tensors.toNDArray(m, golden.input(name), DataType.FLOAT32);
    }

    private static AdamW.Settings settings(JsonObject p) {
        return new AdamW.Settings(p.getAsJsonArray("betas").get(0).getAsDouble(),
                p.getAsJsonArray("betas").get(1).getAsDouble(), p.get("eps").getAsDouble(),
                p.get("weight_decay").getAsDouble());
    }
}
