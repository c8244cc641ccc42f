package org.diffij.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.diffij.DiffijException;
import org.diffij.engine.DiffijEngine;
import org.diffij.engine.Tensors;
import org.junit.jupiter.api.Test;

class AdamWTest {

    private static final AdamW.Settings SETTINGS = new AdamW.Settings(0.9, 0.999, 1e-8, 1e-2);

    private static float[] values(long seed, int n, double scale) {
        Random random = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextGaussian() * scale);
        }
        return v;
    }

    @Test
    void firstStepIsDecayPlusSignedLearningRate() {
        float[] p0 = values(1, 24, 1);
        float[] g = values(2, 24, 0.01);
        double lr = 1e-3;
        float[] p1 = DiffijEngine.get().queue().run("adamw", ctx -> {
            NDArray p = ctx.manager().create(p0);
            new AdamW(ctx.manager(), SETTINGS).step("w", p, ctx.manager().create(g), lr);
            return p.toFloatArray();
        });
        for (int i = 0; i < p0.length; i++) {
            double expected = p0[i] * (1 - lr * 1e-2) - lr * g[i] / (Math.abs(g[i]) + 1e-8);
            assertEquals(expected, p1[i], 2e-7, "element " + i);
        }
    }

    @Test
    void exportedStateResumesBitForBit() {
        float[] p0 = values(3, 30, 1);
        List<float[]> grads = List.of(values(4, 30, 1), values(5, 30, 0.1), values(6, 30, 3), values(7, 30, 1e-9),
                values(8, 30, 1));
        float[][] straight = new float[1][];
        float[][] resumed = new float[1][];
        DiffijEngine.get().queue().run("adamw resume", ctx -> {
            NDManager m = ctx.manager();
            NDArray p = m.create(p0);
            AdamW adamw = new AdamW(m, SETTINGS);
            for (float[] g : grads) {
                adamw.step("w", p, m.create(g), 1e-3);
            }
            straight[0] = p.toFloatArray();

            NDArray q = m.create(p0);
            AdamW first = new AdamW(m, SETTINGS);
            for (float[] g : grads.subList(0, 2)) {
                first.step("w", q, m.create(g), 1e-3);
            }
            Map<String, NDArray> state = first.state(m);
            assertEquals(List.of("w.exp_avg", "w.exp_avg_sq", "w.step"), List.copyOf(state.keySet()));
            assertEquals(2, state.get("w.step").getLong());
            AdamW second = new AdamW(m, SETTINGS);
            second.importState(Tensors.asWeights(state));
            assertEquals(2, second.steps("w"));
            for (float[] g : grads.subList(2, grads.size())) {
                second.step("w", q, m.create(g), 1e-3);
            }
            resumed[0] = q.toFloatArray();
            return null;
        });
        assertArrayEquals(straight[0], resumed[0]);
    }

    @Test
    void aParameterWithoutGradientIsSkippedEntirely() {
        float[] p0 = values(9, 8, 1);
        float[] after = DiffijEngine.get().queue().run("adamw skip", ctx -> {
            NDArray p = ctx.manager().create(p0);
            AdamW adamw = new AdamW(ctx.manager(), SETTINGS);
            adamw.step("w", p, null, 1e-3);
            assertEquals(0, adamw.steps("w"));
            assertTrue(adamw.state(ctx.manager()).isEmpty());
            return p.toFloatArray();
        });
        assertArrayEquals(p0, after, "no weight decay without a gradient");
    }

    @Test
    void incompleteStateAndBadSettingsAreRefused() {
        DiffijEngine.get().queue().run("adamw bad state", ctx -> {
            AdamW adamw = new AdamW(ctx.manager(), SETTINGS);
            DiffijException e = assertThrows(DiffijException.class, () -> adamw.importState(Tensors.asWeights(Map.of(
                    "w.step", ctx.manager().create(1L), "w.exp_avg", ctx.manager().create(0f)))));
            assertTrue(e.getMessage().contains("w.exp_avg_sq"), e.getMessage());
            return null;
        });
        assertThrows(DiffijException.class, () -> new AdamW.Settings(1.0, 0.999, 1e-8, 0));
        assertThrows(DiffijException.class, () -> new AdamW.Settings(0.9, 0.999, 0, 0));
    }

    @Test
    void clippingScalesEveryGradientByOneFactorOnlyAboveTheLimit() {
        DiffijEngine.get().queue().run("clip", ctx -> {
            NDManager m = ctx.manager();
            NDArray a = m.create(new float[] {3, 0});
            NDArray b = m.create(new float[] {0, 4});
            GradientClipping.Clipped clipped = GradientClipping.clipGradNorm(List.of(a, b), 1.0);
            assertEquals(5, clipped.totalNorm(), 1e-6);
            assertEquals(1 / (5 + 1e-6), clipped.coefficient(), 1e-7);
            assertArrayEquals(new float[] {0.6f, 0}, a.toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {0, 0.8f}, b.toFloatArray(), 1e-6f);
            GradientClipping.Clipped small = GradientClipping.clipGradNorm(List.of(a, b), 10.0);
            assertEquals(1, small.coefficient());
            assertArrayEquals(new float[] {0.6f, 0}, a.toFloatArray(), 1e-6f);
            assertEquals(new GradientClipping.Clipped(0, 1), GradientClipping.clipGradNorm(List.of(), 1.0));
            return null;
        });
    }
}
