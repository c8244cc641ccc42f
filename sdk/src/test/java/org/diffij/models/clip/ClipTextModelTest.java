package org.diffij.models.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Set;
import org.diffij.DiffijException;
import org.diffij.engine.DiffijEngine;
import org.diffij.io.DType;
import org.diffij.io.HalfFloats;
import org.diffij.io.HostTensor;
import org.diffij.io.Weights;
import org.diffij.parity.Golden;
import org.diffij.bench.RandomClipWeights;
import org.junit.jupiter.api.Test;

class ClipTextModelTest {

    static final ClipTextConfig TINY = new ClipTextConfig(20, 16, 24, 3, 4, 8, "quick_gelu", 1e-5, 16, 2, false);

    static ClipTextModel tiny(NDManager manager) {
        return ClipTextModel.load(TINY, new RandomClipWeights(TINY, 7), manager, DataType.FLOAT32);
    }

    static NDArray ids(NDManager manager, long... ids) {
        return manager.create(ids, new Shape(1, ids.length));
    }

    @Test
    void readsTheConfigsOfTheGoldenModels() {
        ClipTextConfig sd15 = ClipTextConfig.read(Golden.manifest().modelPath("tiny-sd15").resolve("text_encoder/config.json"));
        assertEquals(32, sd15.hiddenSize());
        assertEquals(5, sd15.numHiddenLayers());
        assertEquals("quick_gelu", sd15.hiddenAct());
        assertFalse(sd15.withProjection());
        ClipTextConfig te2 = ClipTextConfig.read(Golden.manifest().modelPath("tiny-sdxl").resolve("text_encoder_2/config.json"));
        assertEquals("gelu", te2.hiddenAct());
        assertTrue(te2.withProjection());
    }

    @Test
    void laterTokensNeverChangeEarlierPositions() {
        float[][] result = DiffijEngine.get().queue().run("causal", ctx -> {
            ClipTextModel model = tiny(ctx.manager());
            NDArray a = model.forward(ids(ctx.manager(), 18, 3, 4, 5, 19)).lastHiddenState();
            NDArray b = model.forward(ids(ctx.manager(), 18, 3, 4, 9, 19)).lastHiddenState();
            return new float[][] {a.get(new NDIndex("0, 0:3")).toFloatArray(), b.get(new NDIndex("0, 0:3")).toFloatArray(),
                a.get(new NDIndex("0, 3")).toFloatArray(), b.get(new NDIndex("0, 3")).toFloatArray()};
        });
        assertArrayEquals(result[0], result[1]);
        assertFalse(java.util.Arrays.equals(result[2], result[3]));
    }

    @Test
    void poolsAtTheHighestIdAndClipSkipUsesEarlierLayers() {
        float[][] result = DiffijEngine.get().queue().run("pool", ctx -> {
            ClipTextModel model = tiny(ctx.manager());
            ClipTextOutput out = model.forward(ids(ctx.manager(), 18, 3, 19, 0, 0));
            return new float[][] {out.pooledOutput().toFloatArray(),
                out.lastHiddenState().get(new NDIndex("0, 2")).toFloatArray(),
                out.promptEmbeds(1).toFloatArray(), out.finalLayerNorm().apply(out.hiddenState(-2)).toFloatArray(),
                out.promptEmbeds(0).toFloatArray(), out.lastHiddenState().toFloatArray(),
                {out.hiddenStates().size()}};
        });
        assertArrayEquals(result[1], result[0]);
        assertArrayEquals(result[3], result[2]);
        assertArrayEquals(result[5], result[4]);
        assertFalse(java.util.Arrays.equals(result[2], result[4]));
        assertEquals(TINY.numHiddenLayers() + 1, (int) result[6][0]);
    }

    @Test
    void extraEmbeddingRowsActAsNewTokensWithoutChangingTheModel() {
        float[][] result = DiffijEngine.get().queue().run("overlay", ctx -> {
            NDManager m = ctx.manager();
            ClipTextModel model = tiny(m);
            HostTensor row5 = new RandomClipWeights(TINY, 7).read("text_model.embeddings.token_embedding.weight");
            float[] table = row5.toFloatArray();
            float[] five = java.util.Arrays.copyOfRange(table, 5 * 16, 6 * 16);
            NDArray extra = m.create(five, new Shape(1, 16));
            float[] viaOverlay = model.forward(ids(m, 18, 20, 19), extra).lastHiddenState().toFloatArray();
            float[] viaBase = model.forward(ids(m, 18, 5, 19)).lastHiddenState().toFloatArray();
            return new float[][] {viaOverlay, viaBase};
        });
        assertArrayEquals(result[1], result[0], 1e-6f);
        assertThrows(DiffijException.class, () -> DiffijEngine.get().queue().run("no overlay",
                ctx -> tiny(ctx.manager()).forward(ids(ctx.manager(), 18, 20, 19))));
    }

    @Test
    void projectionOnlyForModelsWithProjection() {
        assertNull(DiffijEngine.get().queue().run("no projection",
                ctx -> tiny(ctx.manager()).forward(ids(ctx.manager(), 1, 2)).textEmbeds()));
    }

    @Test
    void wrongShapesAndMissingWeightsAreClearErrors() {
        ClipTextConfig wider = new ClipTextConfig(20, 32, 24, 3, 4, 8, "quick_gelu", 1e-5, 16, 2, false);
        DiffijException shape = assertThrows(DiffijException.class, () -> DiffijEngine.get().queue().run("shape",
                ctx -> ClipTextModel.load(wider, new RandomClipWeights(TINY, 1), ctx.manager(), DataType.FLOAT32)));
        assertTrue(shape.getMessage().contains("token_embedding"), shape.getMessage());
        Weights empty = new Weights() {
            @Override
            public Set<String> names() {
                return Set.of();
            }

            @Override
            public HostTensor read(String name) {
                throw new AssertionError(name);
            }
        };
        DiffijException missing = assertThrows(DiffijException.class, () -> DiffijEngine.get().queue().run("missing",
                ctx -> ClipTextModel.load(TINY, empty, ctx.manager(), DataType.FLOAT32)));
        assertTrue(missing.getMessage().contains("missing (text_model.embeddings.token_embedding.weight"),
                missing.getMessage());
        assertThrows(DiffijException.class, () -> new ClipTextConfig(20, 30, 24, 3, 4, 8, "relu", 1e-5, 16, 2, false));
    }

    /** The weights in a 16-bit float format: BF16 must be widened in Java (libtorch aborts on BF16 arrays). */
    static Weights sixteenBit(Weights source, DType dtype) {
        return new Weights() {
            @Override
            public Set<String> names() {
                return source.names();
            }

            @Override
            public HostTensor read(String name) {
                float[] values = source.read(name).toFloatArray();
                ByteBuffer bytes = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : values) {
                    bytes.putShort(dtype == DType.BF16 ? HalfFloats.floatToBf16(v) : HalfFloats.floatToF16(v));
                }
                return new HostTensor(dtype, source.read(name).shape(), bytes.flip());
            }
        };
    }

    @Test
    void halfAndBfloat16WeightsAreWidenedToTheComputeType() {
        float[][] result = DiffijEngine.get().queue().run("16-bit", ctx -> {
            NDManager m = ctx.manager();
            Weights f32 = new RandomClipWeights(TINY, 3);
            float[][] out = new float[3][];
            int i = 0;
            for (Weights weights : List.of(sixteenBit(f32, DType.BF16), sixteenBit(f32, DType.F16), f32)) {
                out[i++] = ClipTextModel.load(TINY, weights, m, DataType.FLOAT32).forward(ids(m, 18, 3, 19))
                        .lastHiddenState().toFloatArray();
            }
            return out;
        });
        assertArrayEquals(result[2], result[1], 0.05f);
        assertArrayEquals(result[2], result[0], 0.2f);
    }
}
