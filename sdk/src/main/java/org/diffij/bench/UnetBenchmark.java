package org.diffij.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.PrintStream;
import java.util.Locale;
import org.diffij.engine.DiffijEngine;
import org.diffij.models.Sd15Configs;
import org.diffij.models.unet.UNet2DConditionModel;
import org.diffij.nn.Kernels;
import org.diffij.nn.ParameterLoader;

/** A full-size SD1.5 UNet with random weights: one forward of batch 2 (CFG) at 64×64 and at 32×32 latents. */
public final class UnetBenchmark implements Benchmark {

    private static final int BATCH = 2;
    private static final int TOKENS = 77;

    @Override
    public String name() {
        return "unet";
    }

    @Override
    public String description() {
        return "SD1.5 UNet forward (random weights), batch 2, 64x64 and 32x32 latents";
    }

    @Override
    public void run(BenchOptions options, PrintStream out) {
        DiffijEngine engine = DiffijEngine.get();
        DataType type = engine.computeType();
        out.println(engine.describe() + "; kernels " + Kernels.get().name());
        engine.queue().run("unet benchmark", ctx -> {
            long t0 = System.nanoTime();
            UNet2DConditionModel unet = new UNet2DConditionModel(Sd15Configs.unet(),
                    ParameterLoader.random(ctx.manager(), type, "SD1.5 UNet"));
            out.printf(Locale.ROOT, "built SD1.5 UNet (%.2f GB of parameters) in %.1f s%n", unet.sizeBytes() / 1e9,
                    (System.nanoTime() - t0) / 1e9);
            for (int size : new int[] {64, 32}) {
                double[] seconds = Benchmarks.time(options, () -> forward(ctx.manager(), unet, size, type));
                out.println(Benchmarks.line(String.format(Locale.ROOT, "unet %dx%d latents (%dx%d image), batch %d",
                        size, size, size * 8, size * 8, BATCH), seconds));
                ProfiledRun.print(out, () -> forward(ctx.manager(), unet, size, type));
            }
            return null;
        });
    }

    private static Void forward(NDManager parent, UNet2DConditionModel unet, int size, DataType type) {
        try (NDManager m = parent.newSubManager()) {
            NDArray sample = m.randomNormal(new Shape(BATCH, 4, size, size)).toType(type, false);
            NDArray context = m.randomNormal(new Shape(BATCH, TOKENS, 768)).toType(type, false);
            NDArray timestep = m.create(new float[] {500f}).toType(type, false);
            unet.forward(sample, timestep, context).toFloatArray();
        }
        return null;
    }
}
