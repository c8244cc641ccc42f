package org.diffij.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.diffij.engine.DiffijEngine;
import org.diffij.models.clip.ClipTextModel;
import org.diffij.models.unet.UNet2DConditionModel;
import org.diffij.models.vae.AutoencoderKL;
import org.diffij.parity.Golden;
import org.junit.jupiter.api.Test;

/**
 * Gradients through every kind of layer, with respect to inputs and parameters: the native kernels
 * (libtorch's fused functions in training mode) and the composed ones agree, and both agree with
 * central finite differences, all in float64. The loss is {@code sum(out · R)} for a fixed random R.
 */
class GradientsTest {

    private static final DataType F64 = DataType.FLOAT64;

    /** A model under test: built from a loader, run on an input made in the given manager. */
    private record Case(Function<ParameterLoader, Function<NDArray, NDArray>> build, Shape input, boolean inputGrad) {
    }

    /** Gradient of every parameter and of the input by key ("input" for the input), plus the loss. */
    private record Result(Map<String, double[]> gradients, double loss) {
    }

    @Test
    void resnetBlock() {
        check("resnet", new Case(loader -> {
            ResnetBlock2D block = new ResnetBlock2D(loader.root(), 8, 16, 12, 4, 1e-5f, 1f);
            NDArray[] temb = new NDArray[1];
            return x -> {
                if (temb[0] == null) {
                    temb[0] = x.getManager().randomNormal(0, 1, new Shape(2, 12), F64);
                }
                return block.forward(x, temb[0]);
            };
        }, new Shape(2, 8, 6, 6), true));
    }

    @Test
    void selfAndCrossAttention() {
        check("self-attention", new Case(loader -> {
            Attention attention = new Attention(loader.root(), 16, 16, 2, 8, false);
            return x -> attention.forward(x, null);
        }, new Shape(2, 10, 16), true));
        check("cross-attention", new Case(loader -> {
            Attention attention = new Attention(loader.root(), 16, 12, 2, 8, false);
            NDArray[] context = new NDArray[1];
            return x -> {
                if (context[0] == null) {
                    context[0] = x.getManager().randomNormal(0, 1, new Shape(2, 5, 12), F64);
                }
                return attention.forward(x, context[0]);
            };
        }, new Shape(2, 10, 16), true));
    }

    @Test
    void transformer2DModelWithConvolutionAndLinearProjections() {
        for (boolean linear : new boolean[] {false, true}) {
            check("transformer linear=" + linear, new Case(loader -> {
                Transformer2DModel model = new Transformer2DModel(loader.root(), 2, 8, 16, 1, 12, 4, linear);
                NDArray[] context = new NDArray[1];
                return x -> {
                    if (context[0] == null) {
                        context[0] = x.getManager().randomNormal(0, 1, new Shape(1, 5, 12), F64);
                    }
                    return model.forward(x, context[0]);
                };
            }, new Shape(1, 16, 4, 4), true));
        }
    }

    @Test
    void wholeTinyUNet() {
        Path folder = Golden.manifest().modelPath("tiny-sd15").resolve("unet");
        check("unet", new Case(loader -> {
            UNet2DConditionModel unet = new UNet2DConditionModel(
                    org.diffij.models.unet.UNet2DConditionConfig.from(
                            org.diffij.io.Json.readObject(folder.resolve("config.json"))), loader);
            NDArray[] extra = new NDArray[2];
            return x -> {
                if (extra[0] == null) {
                    extra[0] = x.getManager().create(new double[] {500});
                    extra[1] = x.getManager().randomNormal(0, 1, new Shape(1, 5, 32), F64);
                }
                return unet.forward(x, extra[0], extra[1]);
            };
        }, new Shape(1, 4, 8, 8), true), folder);
    }

    @Test
    void vaeEncoder() {
        Path folder = Golden.manifest().modelPath("tiny-sd15").resolve("vae");
        check("vae encoder", new Case(loader -> {
            AutoencoderKL vae = new AutoencoderKL(org.diffij.models.vae.AutoencoderKLConfig.from(
                    org.diffij.io.Json.readObject(folder.resolve("config.json"))), loader);
            return x -> vae.encode(x).mean();
        }, new Shape(1, 3, 8, 8), true), folder);
    }

    @Test
    void clipTextModel() {
        Path folder = Golden.manifest().modelPath("tiny-sd15").resolve("text_encoder");
        check("clip text", new Case(loader -> {
            ClipTextModel model = new ClipTextModel(org.diffij.models.clip.ClipTextConfig.read(
                    folder.resolve("config.json")), loader);
            return x -> model.forward(x.getManager().create(new long[] {49406, 320, 1125, 539, 49407}, new Shape(1, 5)))
                    .lastHiddenState().add(x.sum());
        }, new Shape(1), false), folder);
    }

    private static void check(String what, Case c) {
        check(what, c, null);
    }

    /** Weights from {@code folder} when given (its files must fit the case's loader), else seeded random ones. */
    private static void check(String what, Case c, Path folder) {
        DiffijEngine.get().queue().run("gradients " + what, ctx -> {
            NDManager m = ctx.manager();
            Result nat = Kernels.using(Kernels.nativeKernels(), () -> gradients(m, c, folder, null));
            Result composed = Kernels.using(Kernels.composedKernels(), () -> gradients(m, c, folder, null));
            assertTrue(Math.abs(nat.loss() - composed.loss()) <= 1e-9 * Math.abs(composed.loss()) + 1e-12,
                    what + ": losses " + nat.loss() + " vs " + composed.loss());
            int compared = 0;
            for (Map.Entry<String, double[]> e : composed.gradients().entrySet()) {
                double[] a = nat.gradients().get(e.getKey());
                assertTrue(a != null, what + ": no native gradient for " + e.getKey());
                // Exactly-zero gradients (a key bias, to which softmax is blind) are compared absolutely.
                double difference = l2(a, e.getValue());
                double limit = 1e-9 * l2(e.getValue(), new double[a.length]) + 1e-12 * Math.sqrt(a.length);
                assertTrue(difference <= limit, what + ": " + e.getKey() + " native vs composed gradient differ by "
                        + difference + " (L2), limit " + limit);
                compared++;
            }
            assertTrue(compared > 0 && compared == nat.gradients().size(), what + ": compared " + compared);
            finiteDifferences(what, m, c, folder, nat);
            return null;
        });
    }

    private static Result gradients(NDManager parent, Case c, Path folder, BiFunction<ParameterTree, NDArray, Void> perturb) {
        return run(parent, c, folder, perturb, true);
    }

    private static Result run(NDManager parent, Case c, Path folder, BiFunction<ParameterTree, NDArray, Void> perturb,
            boolean backward) {
        try (NDManager m = parent.newSubManager()) {
            Engine.getInstance().setRandomSeed(11);
            ParameterLoader loader = folder == null ? ParameterLoader.random(m, F64, "test")
                    : new ParameterLoader(org.diffij.io.WeightSet.openFolder(folder), m, F64, "test");
            Function<NDArray, NDArray> forward = c.build().apply(loader);
            Engine.getInstance().setRandomSeed(12);
            NDArray input = m.randomNormal(0, 1, c.input(), F64);
            ParameterTree tree = loader.tree();
            if (perturb != null) {
                perturb.apply(tree, input);
            }
            Map<String, double[]> grads = new LinkedHashMap<>();
            if (!backward) {
                NDArray out = forward.apply(input);
                Engine.getInstance().setRandomSeed(13);
                return new Result(grads, out.mul(m.randomNormal(0, 1, out.getShape(), F64)).sum().getDouble());
            }
            tree.setTrainable("*", true);
            if (c.inputGrad()) {
                input.setRequiresGradient(true);
            }
            double loss;
            try (Autograd.Tape tape = Autograd.start()) {
                NDArray out = forward.apply(input);
                Engine.getInstance().setRandomSeed(13);
                NDArray r = m.randomNormal(0, 1, out.getShape(), F64);
                NDArray l = out.mul(r).sum();
                loss = l.getDouble();
                tape.backward(l);
            }
            for (Map.Entry<String, NDArray> e : tree.named().entrySet()) {
                NDArray g = Autograd.gradient(e.getValue());
                if (g != null) {
                    grads.put(e.getKey(), g.toDoubleArray());
                }
            }
            if (c.inputGrad()) {
                grads.put("input", input.getGradient().toDoubleArray());
            }
            return new Result(grads, loss);
        }
    }

    /** Central differences on a few coordinates of the input and of the first, middle and last parameter. */
    private static void finiteDifferences(String what, NDManager m, Case c, Path folder, Result analytic) {
        double h = 1e-6;
        java.util.List<String> keys = new java.util.ArrayList<>(analytic.gradients().keySet());
        keys.remove("input");
        java.util.List<String> probed = new java.util.ArrayList<>(java.util.List.of(keys.get(0),
                keys.get(keys.size() / 2), keys.get(keys.size() - 1)));
        if (c.inputGrad()) {
            probed.add("input");
        }
        for (String key : probed) {
            double[] g = analytic.gradients().get(key);
            for (int index : new int[] {0, g.length / 3, g.length - 1}) {
                double plus = Kernels.using(Kernels.nativeKernels(), () -> loss(m, c, folder, key, index, h));
                double minus = Kernels.using(Kernels.nativeKernels(), () -> loss(m, c, folder, key, index, -h));
                double numeric = (plus - minus) / (2 * h);
                double tolerance = 1e-6 * Math.max(1, Math.abs(g[index])) + 1e-7;
                assertTrue(Math.abs(numeric - g[index]) <= tolerance, what + ": " + key + "[" + index
                        + "] analytic " + g[index] + " vs finite difference " + numeric);
            }
        }
    }

    private static double loss(NDManager m, Case c, Path folder, String key, int index, double delta) {
        return run(m, c, folder, (tree, input) -> {
            NDArray target = key.equals("input") ? input : tree.get(key);
            double[] values = target.toDoubleArray();
            values[index] += delta;
            NDArray shifted = target.getManager().create(values, target.getShape());
            Autograd.untracked(() -> target.set(shifted.toByteBuffer()));
            return null;
        }, false).loss();
    }

    private static double l2(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(sum);
    }
}
