package org.diffij.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import org.diffij.engine.DiffijEngine;
import org.diffij.nn.Kernels;
import org.diffij.schedulers.NoiseSchedule;
import org.diffij.schedulers.PredictionType;
import org.diffij.training.AdamW;
import org.diffij.training.DenoisingObjective;
import org.diffij.training.OptimizerStep;

/**
 * One DreamBooth step on a full-size SD 1.5 (random weights): every UNet weight trained by AdamW,
 * text encoder frozen, float32, batch 1 (and 1 instance + 1 class row with prior preservation) — the
 * step diffusers' train_dreambooth.py takes, 24.4 s at 256², batch 1, peak RSS 15.0 GB on torch 1.13
 * on this machine kind. Latents are given (the trainer caches them).
 */
public final class DreamBoothBenchmark implements Benchmark {

    @Override
    public String name() {
        return "dreambooth";
    }

    @Override
    public String description() {
        return "SD1.5 DreamBooth step (full UNet fine-tune, random weights), batch 1 at 256x256 and 512x512, "
                + "and 256x256 with a prior-preservation row";
    }

    @Override
    public void run(BenchOptions options, PrintStream out) throws Exception {
        DiffijEngine engine = DiffijEngine.get();
        out.println(engine.describe() + "; kernels " + Kernels.get().name());
        engine.queue().run("dreambooth benchmark", ctx -> {
            NDManager m = ctx.manager();
            TrainBenchmark.Sd15 sd15 = TrainBenchmark.Sd15.random(m, out);
            sd15.unet().parameters().setTrainable("*", true);
            Map<String, NDArray> trained = sd15.unet().parameters().trainable();
            long values = trained.values().stream().mapToLong(NDArray::size).sum();
            out.printf(Locale.ROOT, "trained: %.1f M UNet weights; gradients + 2 AdamW moments %.2f GB beside the "
                    + "weights%n", values / 1e6, 12.0 * values / 1e9);
            engine.seed(0);
            DenoisingObjective objective = new DenoisingObjective(sd15.unet(), sd15.textEncoder(),
                    NoiseSchedule.forTraining(new JsonObject()), PredictionType.EPSILON, 0);
            OptimizerStep step = new OptimizerStep(new AdamW(m, AdamW.Settings.DEFAULTS), 1);
            // {image size, prior row, gradient checkpointing}
            int[][] runs = {{256, 0, 0}, {256, 1, 0}, {512, 0, 1}, {512, 0, 0}};
            for (int[] run : runs) {
                int image = run[0];
                boolean prior = run[1] == 1;
                DenoisingObjective rowObjective = objective.withGradientCheckpointing(run[2] == 1);
                Benchmarks.resetPeakRss();
                double[] seconds = Benchmarks.time(options, () -> step(m, rowObjective, step, trained, image / 8,
                        prior));
                out.println(Benchmarks.line(String.format(Locale.ROOT, "DreamBooth step %dx%d, %s%s", image, image,
                        prior ? "1 + 1 class row" : "batch 1", run[2] == 1 ? ", checkpointed" : ""), seconds));
                if (run == runs[0]) {
                    ProfiledRun.print(out, () -> step(m, rowObjective, step, trained, image / 8, prior));
                }
            }
            return null;
        });
    }

    private static Void step(NDManager parent, DenoisingObjective objective, OptimizerStep step,
            Map<String, NDArray> trained, int latent, boolean prior) {
        try (NDManager m = parent.newSubManager()) {
            DenoisingObjective.Batch rows = TrainBenchmark.batch(m, latent, prior ? 2 : 1);
            DenoisingObjective.Batch batch = prior ? rows.withPrior(new DenoisingObjective.PriorPreservation(1, 1))
                    : rows;
            step.step(trained, () -> objective.evaluate(batch, DenoisingObjective.Trainables.NONE).loss(), 1, 5e-6,
                    null);
        }
        return null;
    }
}
