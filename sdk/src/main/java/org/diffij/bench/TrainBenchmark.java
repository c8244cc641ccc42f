package org.diffij.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.diffij.engine.DiffijEngine;
import org.diffij.models.Sd15Configs;
import org.diffij.models.clip.ClipTextConfig;
import org.diffij.models.clip.ClipTextModel;
import org.diffij.models.unet.UNet2DConditionModel;
import org.diffij.nn.Kernels;
import org.diffij.nn.ParameterLoader;
import org.diffij.schedulers.NoiseSchedule;
import org.diffij.schedulers.PredictionType;
import org.diffij.training.AdamW;
import org.diffij.training.DenoisingObjective;
import org.diffij.training.LoraNetwork;
import org.diffij.training.OptimizerStep;

/**
 * One LoRA training step on a full-size SD 1.5 (random weights): text-encoder forward, UNet forward
 * and backward with rank-4 adapters on the attention projections, AdamW, batch 1, float32 — the step
 * the reference figures of diffusers + PEFT on this machine kind describe (42 s at 512², 11.7 s at
 * 256², peak RSS 10.6 / 5.5 GB on torch 1.13; 58 s and 7.3 GB at 512² with gradient checkpointing), with and
 * without gradient checkpointing. Latents are given (the trainer caches them).
 */
public final class TrainBenchmark implements Benchmark {

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String description() {
        return "SD1.5 LoRA training step (random weights, rank 4 on to_q/k/v/out.0), batch 1, 256x256 and 512x512";
    }

    @Override
    public void run(BenchOptions options, PrintStream out) throws Exception {
        DiffijEngine engine = DiffijEngine.get();
        out.println(engine.describe() + "; kernels " + Kernels.get().name());
        engine.queue().run("train benchmark", ctx -> {
            NDManager m = ctx.manager();
            Sd15 sd15 = Sd15.random(m, out);
            UNet2DConditionModel unet = sd15.unet();
            ClipTextModel textEncoder = sd15.textEncoder();
            engine.seed(0);
            LoraNetwork lora = LoraNetwork.create(Map.of("unet", unet.parameters()), LoraNetwork.Targets.ATTENTION,
                    new LoraNetwork.Dimension(4, 4), null, m);
            out.printf(Locale.ROOT, "LoRA: %d modules, %d trained values%n", lora.modules().size(),
                    lora.parameters().values().stream().mapToLong(NDArray::size).sum());
            DenoisingObjective objective = new DenoisingObjective(unet, textEncoder,
                    NoiseSchedule.forTraining(new JsonObject()), PredictionType.EPSILON, 0);
            OptimizerStep step = new OptimizerStep(new AdamW(m, AdamW.Settings.DEFAULTS), 0);
            if (!Benchmarks.resetPeakRss()) {
                out.println("(the kernel does not reset the peak RSS: each row's peak includes the rows before it)");
            }
            for (int image : new int[] {256, 512}) {
                for (boolean checkpointed : new boolean[] {true, false}) {
                    Benchmarks.resetPeakRss();
                    DenoisingObjective rowObjective = objective.withGradientCheckpointing(checkpointed);
                    double[] seconds = Benchmarks.time(options, () -> step(m, rowObjective, step, lora, image / 8));
                    out.println(Benchmarks.line(String.format(Locale.ROOT, "LoRA step %dx%d, batch 1%s", image, image,
                            checkpointed ? ", checkpointed" : ""), seconds));
                }
            }
            return null;
        });
    }

    private static Void step(NDManager parent, DenoisingObjective objective, OptimizerStep step, LoraNetwork lora,
            int latent) {
        try (NDManager m = parent.newSubManager()) {
            DenoisingObjective.Batch batch = batch(m, latent, 1);
            step.step(lora.parameters(), () -> objective.evaluate(batch, new DenoisingObjective.Trainables(lora, null))
                    .loss(), 1, 1e-4, null);
        }
        return null;
    }

    /** A full-size SD 1.5 UNet and CLIP text encoder with random weights, built in Java. */
    record Sd15(UNet2DConditionModel unet, ClipTextModel textEncoder) {

        static Sd15 random(NDManager m, PrintStream out) {
            long t0 = System.nanoTime();
            UNet2DConditionModel unet = new UNet2DConditionModel(Sd15Configs.unet(),
                    ParameterLoader.random(m, DataType.FLOAT32, "SD1.5 UNet"));
            ClipTextConfig clip = ClipTextConfig.sd15();
            ClipTextModel textEncoder = ClipTextModel.load(clip, new RandomClipWeights(clip, 1234), m,
                    DataType.FLOAT32);
            out.printf(Locale.ROOT, "built SD1.5 UNet + CLIP (%.2f GB) in %.1f s%n",
                    (unet.sizeBytes() + textEncoder.sizeBytes()) / 1e9, (System.nanoTime() - t0) / 1e9);
            return new Sd15(unet, textEncoder);
        }
    }

    /** {@code rows} given latents with noise at t = 500 and a short caption (the trainer caches latents). */
    static DenoisingObjective.Batch batch(NDManager m, int latent, int rows) {
        long[] ids = new long[77 * rows];
        for (int i = 0; i < ids.length; i++) {
            int position = i % 77;
            ids[i] = position == 0 ? 49406 : position < 12 ? 320 + 37L * position : 49407;
        }
        long[] timesteps = new long[rows];
        Arrays.fill(timesteps, 500);
        return new DenoisingObjective.Batch(m.randomNormal(new Shape(rows, 4, latent, latent)),
                m.randomNormal(new Shape(rows, 4, latent, latent)), m.create(timesteps), m.create(ids,
                        new Shape(rows, 77)), null);
    }
}
