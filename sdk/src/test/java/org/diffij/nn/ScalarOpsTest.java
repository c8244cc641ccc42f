package org.diffij.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import org.diffij.engine.DiffijEngine;
import org.junit.jupiter.api.Test;

/**
 * Gradients through arithmetic with numbers stay right when the garbage collector runs between the
 * forward and the backward pass (it freed the Java buffers DJL's Number overloads hand to libtorch,
 * and the freed memory is then reused): each op's gradient against its closed form.
 */
class ScalarOpsTest {

    @Test
    void gradientsSurviveGarbageCollectionBetweenForwardAndBackward() {
        check("mul", x -> ScalarOps.mul(x, 1.702), (v, r) -> 1.702 * r);
        check("muli", x -> ScalarOps.muli(x.add(0f), -0.25), (v, r) -> -0.25 * r);
        check("div", x -> ScalarOps.div(x, 6), (v, r) -> r / 6);
        check("maximum", x -> ScalarOps.maximum(x, 0), (v, r) -> v > 0 ? r : 0);
        check("minimum", x -> ScalarOps.minimum(x, 0), (v, r) -> v < 0 ? r : 0);
        check("swish", x -> ScalarOps.swish(x, 1.702), (v, r) -> r * swishSlope(v, 1.702));
        check("quick_gelu", Activations::quickGelu, (v, r) -> r * swishSlope(v, 1.702));
    }

    private interface Slope {
        double gradient(double x, double upstream);
    }

    private static double swishSlope(double x, double beta) {
        DoubleUnaryOperator sigmoid = t -> 1 / (1 + Math.exp(-t));
        double s = sigmoid.applyAsDouble(beta * x);
        return s + beta * x * s * (1 - s);
    }

    private static void check(String op, UnaryOperator<NDArray> f, Slope expected) {
        DiffijEngine.get().queue().run("scalar op " + op, ctx -> {
            try (NDManager m = ctx.manager().newSubManager()) {
                NDArray x = m.randomNormal(new Shape(64, 64));
                NDArray upstream = m.randomNormal(new Shape(64, 64));
                Autograd.requireGradient(x, true);
                try (Autograd.Tape tape = Autograd.start()) {
                    NDArray loss;
                    try (NDManager forward = m.newSubManager()) {
                        NDArray y = f.apply(x);
                        y.tempAttach(forward);
                        loss = y.mul(upstream).sum();
                        loss.attach(m);
                    }
                    reuseFreedJavaBuffers();
                    tape.backward(loss);
                }
                float[] gradient = Autograd.gradient(x).toFloatArray();
                float[] xs = x.toFloatArray();
                float[] rs = upstream.toFloatArray();
                for (int i = 0; i < xs.length; i++) {
                    double want = expected.gradient(xs[i], rs[i]);
                    assertTrue(Math.abs(gradient[i] - want) <= 1e-5 * (1 + Math.abs(want)),
                            op + ": gradient " + gradient[i] + " at x=" + xs[i] + ", want " + want);
                }
            }
            return null;
        });
    }

    /** Collects garbage (freeing unreachable direct buffers) and fills the freed memory with 0x7F bytes. */
    private static void reuseFreedJavaBuffers() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<ByteBuffer> filler = new ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            ByteBuffer b = ByteBuffer.allocateDirect(4 + (i % 16) * 4);
            while (b.hasRemaining()) {
                b.put((byte) 0x7F);
            }
            filler.add(b);
        }
    }
}
