package org.diffij.models.hypernetwork;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diffij.DiffijException;
import org.diffij.engine.DiffijEngine;
import org.diffij.io.WeightFile;
import org.diffij.io.pickle.PickleTuple;
import org.diffij.io.pickle.TorchPickleFile;
import org.diffij.parity.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A1111 hypernetwork files: the golden {@code .pt} and its flattened twin load to the same network;
 * what Diffij writes has the layout A1111's {@code Hypernetwork.save} gives (read back through the
 * safe unpickler) and its twin the golden twin's fields; files that are no hypernetwork are refused.
 */
class HypernetworkFileTest {

    @TempDir
    Path dir;

    private static Path golden(String relative) {
        return Golden.manifest().root().resolve(relative);
    }

    @Test
    void aGoldenPickleAndItsSafetensorsTwinLoadToTheSameHypernetwork() {
        for (String stem : List.of("tiny-sd15-hn-linear", "tiny-sd15-hn-relu")) {
            DiffijEngine.get().queue().run("hypernetwork twins", ctx -> {
                Hypernetwork pt = HypernetworkFile.read(golden("models/hypernetworks/" + stem + ".pt"), ctx.manager(),
                        DataType.FLOAT32);
                Hypernetwork twin = HypernetworkFile.read(golden("models/hypernetworks/" + stem + ".safetensors"),
                        ctx.manager(), DataType.FLOAT32);
                assertEquals(pt.config(), twin.config(), stem);
                assertEquals(pt.provenance(), twin.provenance(), stem);
                assertEquals(stem, pt.provenance().name());
                assertEquals(pt.parameters().named().keySet(), twin.parameters().named().keySet());
                pt.parameters().named().forEach((name, value) -> assertArrayEquals(value.toFloatArray(),
                        twin.parameters().get(name).toFloatArray(), name));
                return null;
            });
        }
        DiffijEngine.get().queue().run("hypernetwork config", ctx -> {
            Hypernetwork relu = HypernetworkFile.read(golden("models/hypernetworks/tiny-sd15-hn-relu.pt"),
                    ctx.manager(), DataType.FLOAT32);
            assertEquals(List.of(32, 64), relu.sizes());
            assertEquals(HypernetworkActivation.RELU, relu.config().activation());
            assertEquals(List.of(1.0, 2.0, 1.0), relu.config().layerStructure());
            assertEquals(List.of("32.0.linear.0.weight", "32.0.linear.0.bias", "32.0.linear.2.weight",
                    "32.0.linear.2.bias"), new ArrayList<>(relu.parameters().named().keySet()).subList(0, 4));
            return null;
        });
    }

    @Test
    void writtenFilesHaveTheLayoutA1111SavesAndReadBackUnchanged() throws Exception {
        Path saved = golden("cases/training/hypernetwork_relu_train/tiny-sd15-hn-relu.pt");
        Path pt = dir.resolve("out.pt");
        Path twin = dir.resolve("out.safetensors");
        DiffijEngine.get().queue().run("hypernetwork write", ctx -> {
            Hypernetwork h = HypernetworkFile.read(saved, ctx.manager(), DataType.FLOAT32);
            assertEquals(new Hypernetwork.Provenance("tiny-sd15-hn-relu", 1, "8ed219a756", "tiny-sd15", null),
                    h.provenance());
            HypernetworkFile.writePickle(pt, h, h.provenance());
            HypernetworkFile.writeSafetensors(twin, h, h.provenance(), Map.of("diffij.version", "test"));
            return null;
        });
        try (TorchPickleFile ours = TorchPickleFile.open(pt); TorchPickleFile a1111 = TorchPickleFile.open(saved)) {
            Map<?, ?> mine = assertInstanceOf(Map.class, ours.root());
            Map<?, ?> theirs = assertInstanceOf(Map.class, a1111.root());
            assertEquals(new ArrayList<>(theirs.keySet()), new ArrayList<>(mine.keySet()),
                    "the widths as Python ints first, then A1111's fields in its order");
            assertEquals(List.of(32L, 64L), new ArrayList<>(mine.keySet()).subList(0, 2));
            for (Object width : List.of(32L, 64L)) {
                PickleTuple modules = assertInstanceOf(PickleTuple.class, mine.get(width));
                PickleTuple expected = assertInstanceOf(PickleTuple.class, theirs.get(width));
                assertEquals(2, modules.size());
                for (int i = 0; i < 2; i++) {
                    assertEquals(((Map<?, ?>) expected.get(i)).keySet(), ((Map<?, ?>) modules.get(i)).keySet());
                }
            }
            assertEquals(a1111.metadata(), ours.metadata(), "every field as A1111 wrote it");
            assertEquals(a1111.names(), ours.names());
            for (String name : a1111.names()) {
                assertArrayEquals(a1111.read(name).toFloatArray(), ours.read(name).toFloatArray(), name);
            }
        }
        try (WeightFile ours = WeightFile.open(twin); WeightFile expected = WeightFile.open(
                golden("cases/training/hypernetwork_relu_train/tiny-sd15-hn-relu.safetensors"))) {
            Map<String, String> fields = new LinkedHashMap<>(ours.metadata());
            assertEquals("test", fields.remove("diffij.version"));
            assertEquals(expected.metadata(), fields);
            assertEquals(expected.names(), ours.names());
            for (String name : expected.names()) {
                assertArrayEquals(expected.read(name).toFloatArray(), ours.read(name).toFloatArray(), name);
            }
        }
    }

    @Test
    void aNewHypernetworkHasA1111sLayoutAndInitialisation() {
        DiffijEngine.get().queue().run("hypernetwork create", ctx -> {
            ctx.engine().seed(3);
            HypernetworkConfig config = HypernetworkConfig.create(List.of(1.0, 1.5, 1.0), HypernetworkActivation.SWISH,
                    true, "Normal", true, List.of(0.0, 0.3, 0.0));
            Hypernetwork h = Hypernetwork.create(new Hypernetwork.Provenance("new", 0, null, null, null),
                    List.of(64, 32), config, ctx.manager());
            assertEquals(List.of(32, 64), h.sizes());
            // Linear, Hardswish, LayerNorm, Dropout(0.3), Linear, LayerNorm: parameters at 0, 2, 4, 5.
            assertEquals(List.of("32.0.linear.0.weight", "32.0.linear.0.bias", "32.0.linear.2.weight",
                    "32.0.linear.2.bias", "32.0.linear.4.weight", "32.0.linear.4.bias", "32.0.linear.5.weight",
                    "32.0.linear.5.bias"), new ArrayList<>(h.parameters().named().keySet()).subList(0, 8));
            NDArray weight = h.parameters().get("64.1.linear.4.weight");
            assertArrayEquals(new long[] {64, 96}, weight.getShape().getShape());
            double std = Math.sqrt(weight.square().mean().getFloat());
            assertTrue(std > 0.008 && std < 0.012, "Normal init draws N(0, 0.01^2), got std " + std);
            assertEquals(0f, h.parameters().get("64.1.linear.4.bias").abs().sum().getFloat());
            assertTrue(config.lastLayerDropout(), "dropout before the output layer is recorded as A1111 derives it");
            return null;
        });
    }

    @Test
    void filesThatAreNoHypernetworkAreRefusedInOneLine() {
        Path embedding = golden("models/textual_inversion/cat-toy-a1111.pt");
        DiffijException e = assertThrows(DiffijException.class, () -> DiffijEngine.get().queue().run("bad",
                ctx -> HypernetworkFile.read(embedding, ctx.manager(), DataType.FLOAT32)));
        assertTrue(e.getMessage().contains("not an A1111 hypernetwork"), e.getMessage());
        assertTrue(e.getMessage().contains("string_to_param"), e.getMessage());
        DiffijException missing = assertThrows(DiffijException.class, () -> DiffijEngine.get().queue().run("bad",
                ctx -> HypernetworkFile.read(dir.resolve("none.pt"), ctx.manager(), DataType.FLOAT32)));
        assertTrue(missing.getMessage().contains("no such hypernetwork file"), missing.getMessage());
        assertThrows(DiffijException.class, () -> HypernetworkConfig.create(List.of(1.0, 2.0), HypernetworkActivation.RELU,
                false, "Normal", false, null));
        DiffijException activation = assertThrows(DiffijException.class, () -> HypernetworkActivation.of("glu"));
        assertTrue(activation.getMessage().contains("swish"), activation.getMessage());
        assertTrue(activation.getMessage().contains("prelu"), activation.getMessage());
    }

    @Test
    void activationsAreTorchsFunctions() {
        float[] x = {-2f, -0.25f, 0f, 0.75f, 3f};
        Map<HypernetworkActivation, double[]> expected = new LinkedHashMap<>();
        expected.put(HypernetworkActivation.SWISH, new double[] {-1 / 3.0, -0.25 * 2.75 / 6, 0, 0.75 * 3.75 / 6, 3});
        expected.put(HypernetworkActivation.ELU, new double[] {Math.expm1(-2), Math.expm1(-0.25), 0, 0.75, 3});
        expected.put(HypernetworkActivation.LEAKYRELU, new double[] {-0.02, -0.0025, 0, 0.75, 3});
        expected.put(HypernetworkActivation.MISH, mapped(x, v -> v * Math.tanh(Math.log1p(Math.exp(v)))));
        expected.put(HypernetworkActivation.SOFTPLUS, mapped(x, v -> Math.log1p(Math.exp(v))));
        expected.put(HypernetworkActivation.LOGSIGMOID, mapped(x, v -> -Math.log1p(Math.exp(-v))));
        expected.put(HypernetworkActivation.SELU, mapped(x, v -> 1.0507009873554805
                * (v > 0 ? v : 1.6732632423543772 * Math.expm1(v))));
        expected.put(HypernetworkActivation.HARDSHRINK, new double[] {-2, 0, 0, 0.75, 3});
        expected.put(HypernetworkActivation.SOFTSHRINK, new double[] {-1.5, 0, 0, 0.25, 2.5});
        expected.put(HypernetworkActivation.HARDSIGMOID, new double[] {1 / 6.0, 2.75 / 6, 0.5, 3.75 / 6, 1});
        expected.put(HypernetworkActivation.RRELU, mapped(x, v -> v >= 0 ? v : v * 11 / 48.0));
        DiffijEngine.get().queue().run("activations", ctx -> {
            NDArray input = ctx.manager().create(x);
            expected.forEach((activation, values) -> {
                float[] got = activation.apply(input).toFloatArray();
                for (int i = 0; i < x.length; i++) {
                    assertEquals(values[i], got[i], 2e-7, activation + " at " + x[i]);
                }
            });
            return null;
        });
    }

    @Test
    void rreluDrawsItsNegativeSlopesWhileTrainingAndPreluUsesItsLearntOne() {
        DiffijEngine.get().queue().run("rrelu and prelu", ctx -> {
            ctx.engine().seed(5);
            float[] values = new float[1000];
            for (int i = 0; i < values.length; i++) {
                values[i] = i % 2 == 0 ? -1f - i / 1000f : i / 1000f;
            }
            float[] trained = HypernetworkActivation.RRELU.apply(ctx.manager().create(values), null, true).toFloatArray();
            java.util.Set<Float> negativeSlopes = new java.util.HashSet<>();
            for (int i = 0; i < values.length; i++) {
                if (values[i] >= 0) {
                    assertEquals(values[i], trained[i], "positive inputs pass unchanged");
                } else {
                    float slope = trained[i] / values[i];
                    assertTrue(slope >= 1 / 8f - 1e-6 && slope <= 1 / 3f + 1e-6, "slope " + slope + " in [1/8, 1/3]");
                    negativeSlopes.add(slope);
                }
            }
            assertTrue(negativeSlopes.size() > 400, "a slope per element, got " + negativeSlopes.size() + " distinct");
            float[] prelu = HypernetworkActivation.PRELU.apply(ctx.manager().create(new float[] {-2f, 3f}),
                    ctx.manager().create(new float[] {0.4f}), false).toFloatArray();
            assertArrayEquals(new float[] {-0.8f, 3f}, prelu, 1e-7f);
            assertThrows(IllegalArgumentException.class, () -> HypernetworkActivation.PRELU.apply(
                    ctx.manager().create(new float[] {1f})));
            return null;
        });
    }

    @Test
    void aPreluHypernetworkLearnsItsSlopeAndKeepsItInBothFormats() {
        Path pt = dir.resolve("prelu.pt");
        Path twin = dir.resolve("prelu.safetensors");
        DiffijEngine.get().queue().run("prelu hypernetwork", ctx -> {
            ctx.engine().seed(7);
            HypernetworkConfig config = HypernetworkConfig.create(List.of(1.0, 2.0, 1.0), HypernetworkActivation.of("PReLU"),
                    false, "Normal", false, null);
            Hypernetwork h = Hypernetwork.create(new Hypernetwork.Provenance("prelu", 0, null, null, null),
                    List.of(4), config, ctx.manager());
            // Linear, PReLU (its slope at Sequential index 1, as torch names it), Linear.
            assertEquals(List.of("4.0.linear.0.weight", "4.0.linear.0.bias", "4.0.linear.1.weight",
                    "4.0.linear.2.weight", "4.0.linear.2.bias"),
                    new ArrayList<>(h.parameters().named().keySet()).subList(0, 5));
            NDArray slope = h.parameters().get("4.1.linear.1.weight");
            assertArrayEquals(new float[] {0.25f}, slope.toFloatArray(), "torch's initial slope");
            assertTrue(slope.hasGradient(), "A1111 trains every parameter of the module, the slope too");
            org.diffij.nn.Autograd.untracked(() -> slope.set(new float[] {-0.5f}));

            NDArray probe = ctx.manager().create(new float[] {0.3f, -1.2f, 2.0f, -0.7f, 1.1f, 0.0f, -2.5f, 0.9f},
                    new ai.djl.ndarray.types.Shape(1, 2, 4));
            NDArray values = h.contexts(0.75f, false).apply(new org.diffij.nn.KeyValueContexts.Pair(probe, probe))
                    .forValues();
            NDArray hidden = probe.matMul(h.parameters().get("4.1.linear.0.weight").transpose())
                    .add(h.parameters().get("4.1.linear.0.bias"));
            float[] in = hidden.toFloatArray();
            for (int i = 0; i < in.length; i++) {
                in[i] = in[i] >= 0 ? in[i] : -0.5f * in[i];
            }
            NDArray activated = ctx.manager().create(in, hidden.getShape());
            NDArray expected = probe.add(activated.matMul(h.parameters().get("4.1.linear.2.weight").transpose())
                    .add(h.parameters().get("4.1.linear.2.bias")).mul(0.75f));
            assertArrayEquals(expected.toFloatArray(), values.toFloatArray(), 1e-6f);

            HypernetworkFile.writePickle(pt, h, h.provenance());
            HypernetworkFile.writeSafetensors(twin, h, h.provenance(), Map.of());
            for (Path file : List.of(pt, twin)) {
                Hypernetwork back = HypernetworkFile.read(file, ctx.manager(), DataType.FLOAT32);
                assertEquals(HypernetworkActivation.PRELU, back.config().activation(), file.toString());
                assertEquals(h.parameters().named().keySet(), back.parameters().named().keySet());
                h.parameters().named().forEach((name, value) -> assertArrayEquals(value.toFloatArray(),
                        back.parameters().get(name).toFloatArray(), name));
            }
            return null;
        });
    }

    private static double[] mapped(float[] x, java.util.function.DoubleUnaryOperator f) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = f.applyAsDouble(x[i]);
        }
        return out;
    }
}
