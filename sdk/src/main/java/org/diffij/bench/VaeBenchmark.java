package org.diffij.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.PrintStream;
import org.diffij.engine.DiffijEngine;
import org.diffij.models.Sd15Configs;
import org.diffij.models.vae.AutoencoderKL;
import org.diffij.nn.Kernels;
import org.diffij.nn.ParameterLoader;

/** A full-size SD1.5 VAE with random weights: decoding one 64×64 latent to a 512×512 image. */
public final class VaeBenchmark implements Benchmark {

    @Override
    public String name() {
        return "vae";
    }

    @Override
    public String description() {
        return "SD1.5 VAE decode (random weights) of one 64x64 latent to 512x512";
    }

    @Override
    public void run(BenchOptions options, PrintStream out) {
        DiffijEngine engine = DiffijEngine.get();
        DataType type = engine.computeType();
        out.println(engine.describe() + "; kernels " + Kernels.get().name());
        engine.queue().run("vae benchmark", ctx -> {
            AutoencoderKL vae = new AutoencoderKL(Sd15Configs.vae(),
                    ParameterLoader.random(ctx.manager(), type, "SD1.5 VAE"));
            double[] seconds = Benchmarks.time(options, () -> decode(ctx.manager(), vae, type));
            out.println(Benchmarks.line("vae decode 64x64 latent (512x512 image)", seconds));
            ProfiledRun.print(out, () -> decode(ctx.manager(), vae, type));
            return null;
        });
    }

    private static Void decode(NDManager parent, AutoencoderKL vae, DataType type) {
        try (NDManager m = parent.newSubManager()) {
            NDArray latents = m.randomNormal(new Shape(1, 4, 64, 64)).toType(type, false);
            vae.decode(latents).toFloatArray();
        }
        return null;
    }
}
