package org.diffij.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;
import org.diffij.engine.DiffijEngine;
import org.junit.jupiter.api.Test;

/** Sliced attention equals one call, for both kernels, and the policy is scoped to the thread. */
class AttentionSlicingTest {

    /** Score matrix of one query row of the test shapes: batch 2, 3 heads, 48 keys, float32. */
    private static final long ROW_BYTES = 2L * 3 * 48 * Float.BYTES;

    @Test
    void slicesOnlyWhenTheScoreMatrixExceedsTheLimit() {
        AttentionSlicing eightRows = new AttentionSlicing(8 * ROW_BYTES);
        assertEquals(8, eightRows.rowsPerSlice(2, 3, 64, 48, Float.BYTES));
        assertEquals(64, new AttentionSlicing(64 * ROW_BYTES).rowsPerSlice(2, 3, 64, 48, Float.BYTES));
        assertEquals(64, AttentionSlicing.OFF.rowsPerSlice(2, 3, 64, 48, Float.BYTES));
        assertEquals(1, new AttentionSlicing(1).rowsPerSlice(2, 3, 64, 48, Float.BYTES), "at least one row");
    }

    @Test
    void slicedAndUnslicedAttentionAgreeForBothKernelsAndOnlyTheComposedOneIsSliced() {
        for (Kernels kernels : new Kernels[] {NativeKernels.load(), new ComposedKernels()}) {
            AtomicInteger calls = new AtomicInteger();
            Kernels counted = counting(kernels, calls);
            float diff = DiffijEngine.get().queue().run("sliced attention", ctx -> {
                NDManager m = ctx.manager();
                NDArray q = m.randomNormal(new Shape(2, 3, 64, 16));
                NDArray k = m.randomNormal(new Shape(2, 3, 48, 16));
                NDArray v = m.randomNormal(new Shape(2, 3, 48, 16));
                NDArray whole = AttentionSlicing.OFF.attend(counted, q, k, v);
                NDArray sliced = new AttentionSlicing(8 * ROW_BYTES).attend(counted, q, k, v);
                assertArrayEquals(whole.getShape().getShape(), sliced.getShape().getShape());
                return whole.sub(sliced).abs().max().getFloat();
            });
            // The composed kernel is sliced; the fused native one never builds the score matrix, so is not.
            int expected = kernels.attentionMaterializesScores() ? 1 + 8 : 1 + 1;
            assertEquals(expected, calls.get(), kernels.name() + ": one whole call, then the sliced call(s)");
            assertTrue(diff < 1e-6, kernels.name() + ": max difference " + diff);
        }
    }

    @Test
    void aPolicyIsInForceOnlyInsideItsScopeAndOnlyOnItsThread() throws InterruptedException {
        assertSame(AttentionSlicing.DEFAULT, AttentionSlicing.current());
        AttentionSlicing small = new AttentionSlicing(1 << 20);
        AttentionSlicing[] seenElsewhere = new AttentionSlicing[1];
        try (AttentionSlicing.InForce ignored = AttentionSlicing.use(small)) {
            assertSame(small, AttentionSlicing.current());
            Thread other = new Thread(() -> seenElsewhere[0] = AttentionSlicing.current());
            other.start();
            other.join();
        }
        assertSame(AttentionSlicing.DEFAULT, seenElsewhere[0]);
        assertSame(AttentionSlicing.DEFAULT, AttentionSlicing.current());
    }

    /** {@code kernels} with its attention calls counted (a proxy, so that it follows the interface as it grows). */
    private static Kernels counting(Kernels kernels, AtomicInteger calls) {
        return (Kernels) Proxy.newProxyInstance(Kernels.class.getClassLoader(), new Class<?>[] {Kernels.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("attention")) {
                        calls.incrementAndGet();
                    }
                    try {
                        return method.invoke(kernels, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
