package org.diffij.bench;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.diffij.engine.DiffijEngine;
import org.diffij.models.hypernetwork.Hypernetwork;
import org.diffij.models.hypernetwork.HypernetworkActivation;
import org.diffij.models.hypernetwork.HypernetworkConfig;
import org.diffij.nn.Kernels;
import org.diffij.schedulers.NoiseSchedule;
import org.diffij.schedulers.PredictionType;
import org.diffij.training.AdamW;
import org.diffij.training.DenoisingObjective;
import org.diffij.training.OptimizerStep;

/**
 * One A1111 hypernetwork training step on a full-size SD 1.5 (random weights): A1111's default new
 * hypernetwork (sizes 768, 320, 640, 1280, layer structure 1,2,1, linear, Normal init) in train mode
 * on every transformer-block attention, text-encoder forward, UNet forward and backward, AdamW,
 * batch 1 at 256², float32, LDM's noise schedule.
 */
public final class HypernetworkTrainBenchmark implements Benchmark {

    @Override
    public String name() {
        return "hypernetwork";
    }

    @Override
    public String description() {
        return "SD1.5 hypernetwork training step (random weights, A1111's default 1,2,1 linear on 768/320/640/1280), "
                + "batch 1, 256x256";
    }

    @Override
    public void run(BenchOptions options, PrintStream out) throws Exception {
        DiffijEngine engine = DiffijEngine.get();
        out.println(engine.describe() + "; kernels " + Kernels.get().name());
        engine.queue().run("hypernetwork benchmark", ctx -> {
            NDManager m = ctx.manager();
            TrainBenchmark.Sd15 sd15 = TrainBenchmark.Sd15.random(m, out);
            engine.seed(0);
            Hypernetwork hypernetwork = Hypernetwork.create(new Hypernetwork.Provenance("bench", 0, null, null, null),
                    List.of(768, 320, 640, 1280), HypernetworkConfig.create(List.of(1.0, 2.0, 1.0),
                            HypernetworkActivation.LINEAR, false, "Normal", false, null), m);
            out.printf(Locale.ROOT, "hypernetwork: %d trained values%n", hypernetwork.parameters().count());
            DenoisingObjective objective = new DenoisingObjective(sd15.unet(), sd15.textEncoder(),
                    NoiseSchedule.ldmTraining(new JsonObject()), PredictionType.EPSILON, 0);
            OptimizerStep step = new OptimizerStep(new AdamW(m, AdamW.Settings.DEFAULTS), 0);
            DenoisingObjective.Trainables trained = new DenoisingObjective.Trainables(null, null, null,
                    hypernetwork.contexts(1f, true));
            double[] seconds = Benchmarks.time(options, () -> step(m, objective, step, hypernetwork, trained, 32));
            out.println(Benchmarks.line("hypernetwork step 256x256, batch 1", seconds));
            return null;
        });
    }

    private static Void step(NDManager parent, DenoisingObjective objective, OptimizerStep step,
            Hypernetwork hypernetwork, DenoisingObjective.Trainables trained, int latent) {
        try (NDManager m = parent.newSubManager()) {
            DenoisingObjective.Batch batch = TrainBenchmark.batch(m, latent, 1);
            step.step(hypernetwork.parameters().named(), () -> objective.evaluate(batch, trained).loss(), 1, 1e-5,
                    null);
        }
        return null;
    }
}
