package org.diffij.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.DataType;
import org.diffij.engine.DiffijEngine;
import org.diffij.engine.Tensors;
import org.diffij.io.HostTensor;
import org.junit.jupiter.api.Test;

/** The native TorchScript kernels and the composed DJL ones compute the same values. */
class KernelsTest {

    private static final Kernels NATIVE = NativeKernels.load();
    /** A budget small enough that a 64-row query is attended in slices of 8 rows. */
    private static final Kernels SLICED = new ComposedKernels(2L * 3 * 8 * 48 * Float.BYTES);

    @Test
    void attentionAgreesWithSlicedComposedAttention() {
        float diff = DiffijEngine.get().queue().run("attention", ctx -> {
            NDManager m = ctx.manager();
            NDArray q = m.randomNormal(new Shape(2, 3, 64, 16));
            NDArray k = m.randomNormal(new Shape(2, 3, 48, 16));
            NDArray v = m.randomNormal(new Shape(2, 3, 48, 16));
            NDArray a = NATIVE.attention(q, k, v);
            NDArray b = SLICED.attention(q, k, v);
            assertArrayEquals(new long[] {2, 3, 64, 16}, a.getShape().getShape());
            assertArrayEquals(a.getShape().getShape(), b.getShape().getShape());
            return a.sub(b).abs().max().getFloat();
        });
        assertTrue(diff < 1e-5, "max difference " + diff);
    }

    @Test
    void groupNormAgreesWithComposedGroupNorm() {
        float diff = DiffijEngine.get().queue().run("group norm", ctx -> {
            NDManager m = ctx.manager();
            NDArray x = m.randomNormal(new Shape(2, 12, 5, 7)).mul(3).add(1);
            NDArray w = m.randomNormal(new Shape(12));
            NDArray b = m.randomNormal(new Shape(12));
            NDArray a = NATIVE.groupNorm(x, 4, w, b, 1e-5f);
            NDArray c = new ComposedKernels().groupNorm(x, 4, w, b, 1e-5f);
            return a.sub(c).abs().max().getFloat();
        });
        assertTrue(diff < 1e-5, "max difference " + diff);
    }

    @Test
    void fusedGroupNormSiluAgreesWithComposedOne() {
        float diff = DiffijEngine.get().queue().run("group norm silu", ctx -> {
            NDManager m = ctx.manager();
            NDArray x = m.randomNormal(new Shape(1, 8, 6, 6));
            NDArray w = m.randomNormal(new Shape(8));
            NDArray b = m.randomNormal(new Shape(8));
            NDArray a = NATIVE.groupNormSilu(x, 2, w, b, 1e-6f);
            NDArray c = new ComposedKernels().groupNormSilu(x, 2, w, b, 1e-6f);
            NDArray d = NATIVE.silu(x).sub(new ComposedKernels().silu(x)).abs().max();
            return Math.max(a.sub(c).abs().max().getFloat(), d.getFloat());
        });
        assertTrue(diff < 1e-5, "max difference " + diff);
    }

    @Test
    void channelsLastIsAnIndependentCopyWithTheSameValues() {
        float[] values = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        float[] out = DiffijEngine.get().queue().run("layout", ctx -> {
            NDArray original = Tensors.toNDArray(ctx.manager(), HostTensor.ofFloats(values, 1, 3, 2, 2),
                    DataType.FLOAT32);
            NDArray copy = NATIVE.channelsLast(original);
            original.close();
            NDArray conv = ai.djl.nn.convolutional.Conv2d.conv2d(copy, NATIVE.channelsLast(ctx.manager().ones(
                    new Shape(2, 3, 1, 1))), null).head();
            assertArrayEquals(new float[] {15, 18, 21, 24, 15, 18, 21, 24}, NATIVE.contiguous(conv).toFloatArray());
            return NATIVE.contiguous(copy).toFloatArray();
        });
        assertArrayEquals(values, out);
    }

    @Test
    void gegluAgreesWithComposedGeglu() {
        float diff = DiffijEngine.get().queue().run("geglu", ctx -> {
            NDArray x = ctx.manager().randomNormal(new Shape(2, 9, 10));
            NDArray a = NATIVE.geglu(x);
            NDArray c = new ComposedKernels().geglu(x);
            assertArrayEquals(new long[] {2, 9, 5}, a.getShape().getShape());
            return a.sub(c).abs().max().getFloat();
        });
        assertTrue(diff < 1e-6, "max difference " + diff);
    }
}
