package org.diffij.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.diffij.engine.DiffijEngine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "engine", mixinStandardHelpOptions = true,
        description = {"Starts the tensor engine (offline), prints its device, threads and start time, and runs "
                + "a convolution and a matrix product as a self-check.",
            "Settings: -Ddiffij.device=auto|cpu|gpu:N, -Ddiffij.threads=N, -Ddiffij.cache.budget=8g "
                + "(or DIFFIJ_DEVICE, DIFFIJ_THREADS, DIFFIJ_CACHE_BUDGET)."})
final class EngineCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        DiffijEngine engine = DiffijEngine.get();
        out.println(engine.describe());
        out.printf(Locale.ROOT, "engine start: %.2f s%n", engine.startSeconds());
        long t0 = System.nanoTime();
        String check = engine.queue().run("engine self-check", ctx -> {
            NDArray image = ctx.manager().randomNormal(new Shape(1, 64, 128, 128));
            NDArray kernel = ctx.manager().randomNormal(new Shape(64, 64, 3, 3));
            NDArray conv = Conv2d.conv2d(image, kernel, null, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1)
                    .singletonOrThrow();
            NDArray matrix = ctx.manager().randomNormal(new Shape(512, 512));
            NDArray product = matrix.matMul(matrix.transpose());
            return String.format(Locale.ROOT, "conv2d %s, matmul %s", conv.getShape(), product.getShape());
        });
        out.printf(Locale.ROOT, "self-check ok: %s in %.3f s%n", check, (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
