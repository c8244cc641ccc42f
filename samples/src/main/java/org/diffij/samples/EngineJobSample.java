package org.diffij.samples;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.diffij.engine.DiffijEngine;
import org.diffij.engine.JobHandle;

/**
 * How a plugin or script runs tensor work: submit a job to the shared engine's queue, follow its
 * progress, cancel it if needed. The job's arrays live in its own scope and are freed when it ends;
 * what it returns is plain Java data.
 */
public final class EngineJobSample {

    private EngineJobSample() {
    }

    /** Sums an n×n matrix product in steps, reporting progress and honouring cancellation. */
    public static JobHandle<Double> submit(int n, int steps) {
        return DiffijEngine.get().queue().submit("sample: matrix products", ctx -> {
            double total = 0;
            for (int step = 1; step <= steps; step++) {
                ctx.checkCancelled();
                NDArray a = ctx.manager().ones(new Shape(n, n));
                total += a.matMul(a).sum().getFloat();
                ctx.progress(step, steps, "step " + step + "/" + steps);
            }
            return total;
        }, (done, total, message) -> System.out.println(message));
    }

    public static void main(String[] args) {
        System.out.println(DiffijEngine.get().describe());
        System.out.println("result: " + submit(64, 5).await());
    }
}
