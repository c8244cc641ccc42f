package org.diffij.parity.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.diffij.engine.JobContext;
import org.diffij.engine.Tensors;
import org.diffij.io.HostTensor;
import org.diffij.io.Json;
import org.diffij.models.hypernetwork.Hypernetwork;
import org.diffij.models.hypernetwork.HypernetworkFile;
import org.diffij.models.unet.UNet2DConditionModel;
import org.diffij.nn.Autograd;
import org.diffij.nn.KeyValueContexts;
import org.diffij.parity.GoldenCase;
import org.diffij.schedulers.NoiseSchedule;
import org.diffij.training.AdamW;
import org.diffij.training.OptimizerStep;

/**
 * The A1111 hypernetwork cases: the UNet with the case's hypernetwork file at each strength and the
 * modules' own outputs ({@code hypernetwork_*_inference}), and one step of A1111's training
 * ({@code hypernetwork_*_train}): LDM noising, the UNet with the modules in train mode, the mean
 * squared error, AdamW.
 */
final class HypernetworkCases {

    private HypernetworkCases() {
    }

    static Map<String, HostTensor> inference(GoldenCase golden, JobContext ctx) {
        NDManager m = ctx.manager();
        JsonObject p = golden.params();
        DataType type = ctx.engine().computeType();
        UNet2DConditionModel unet = UNet2DConditionModel.cached(ctx,
                golden.manifest().modelPath(p.get("model").getAsString()).resolve("unet"));
        Hypernetwork hypernetwork = HypernetworkFile.read(golden.manifest().root()
                .resolve(p.get("hypernetwork_file").getAsString()), m, type);
        NDArray sample = Tensors.toNDArray(m, golden.input("sample"), type);
        NDArray timesteps = Tensors.toNDArray(m, golden.input("timesteps"), type);
        NDArray context = Tensors.toNDArray(m, golden.input("encoder_hidden_states"), type);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        out.put("noise_pred_no_hypernetwork", Tensors.toHost(unet.forward(sample, timesteps, context)));
        for (JsonElement s : p.getAsJsonArray("strengths")) {
            float strength = s.getAsFloat();
            NDArray prediction = KeyValueContexts.applying(List.of(hypernetwork.contexts(strength, false)),
                    () -> unet.forward(sample, timesteps, context));
            out.put("noise_pred_strength" + String.format(Locale.ROOT, "%.1f", strength).replace('.', 'p'),
                    Tensors.toHost(prediction));
        }
        for (int size : hypernetwork.sizes()) {
            NDArray probe = size == context.getShape().getLastDimension() ? context
                    : Tensors.toNDArray(m, golden.input("probe_" + size), type);
            KeyValueContexts.Pair made = hypernetwork.contexts(1f, false).apply(new KeyValueContexts.Pair(probe, probe));
            out.put("context_k_" + size, Tensors.toHost(made.forKeys()));
            out.put("context_v_" + size, Tensors.toHost(made.forValues()));
        }
        return out;
    }

    static Map<String, HostTensor> train(GoldenCase golden, JobContext ctx) {
        NDManager m = ctx.manager();
        JsonObject p = golden.params();
        Path model = golden.manifest().modelPath(p.get("model").getAsString());
        UNet2DConditionModel unet = UNet2DConditionModel.load(model.resolve("unet"), m, DataType.FLOAT32);
        NoiseSchedule schedule = NoiseSchedule.ldmTraining(Json.readObject(model.resolve(
                "scheduler/scheduler_config.json")));
        Hypernetwork hypernetwork = HypernetworkFile.read(golden.manifest().root()
                .resolve(p.get("hypernetwork_file").getAsString()), m, DataType.FLOAT32);
        Map<String, NDArray> trained = hypernetwork.parameters().named();
        Autograd.untracked(() -> trained.forEach((name, value) ->
                value.set(golden.input("init." + name).toFloatArray())));
        hypernetwork.setTrainable(true);
        NDArray latents = input(golden, m, "latents");
        NDArray noise = input(golden, m, "noise");
        NDArray timesteps = Tensors.toNDArray(m, golden.input("timesteps"), DataType.INT64);
        NDArray cond = input(golden, m, "cond");
        Map<String, HostTensor> out = new LinkedHashMap<>();
        AdamW.Settings settings = new AdamW.Settings(p.getAsJsonArray("betas").get(0).getAsDouble(),
                p.getAsJsonArray("betas").get(1).getAsDouble(), p.get("eps").getAsDouble(),
                p.get("weight_decay").getAsDouble());
        OptimizerStep step = new OptimizerStep(new AdamW(m, settings), 0);
        OptimizerStep.Report report = step.step(trained, () -> {
            NDArray noisy = schedule.addNoise(latents, noise, timesteps);
            NDArray prediction = KeyValueContexts.applying(List.of(hypernetwork.contexts(1f, true)),
                    () -> unet.forward(noisy, timesteps.toType(DataType.FLOAT32, false), cond));
            out.put("x_noisy", Tensors.toHost(noisy));
            out.put("model_output", Tensors.toHost(prediction));
            // LatentDiffusion.p_losses with logvar 0 and no ELBO term: the batch mean of per-sample MSE.
            return noise.sub(prediction).square().reshape(noise.getShape().get(0), -1).mean(new int[] {1}).mean();
        }, 1, p.get("lr").getAsDouble(), gradients -> gradients.forEach((name, g) ->
                out.put("grad." + name, Tensors.toHost(g))));
        out.put("loss", HostTensor.scalar((float) report.loss()));
        trained.forEach((name, value) -> out.put("step1." + name, Tensors.toHost(value)));
        return out;
    }

    private static NDArray input(GoldenCase golden, NDManager m, String name) {
        return Tensors.toNDArray(m, golden.input(name), DataType.FLOAT32);
    }
}
