package org.diffij.models.lora;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.diffij.engine.DiffijEngine;
import org.diffij.engine.Tensors;
import org.diffij.io.HostTensor;
import org.diffij.io.Json;
import org.diffij.io.SafetensorsWriter;
import org.diffij.io.WeightSet;
import org.diffij.io.Weights;
import org.diffij.models.unet.AddedConditions;
import org.diffij.models.unet.UNet2DConditionConfig;
import org.diffij.models.unet.UNet2DConditionModel;
import org.diffij.parity.Golden;
import org.diffij.models.clip.ClipTextConfig;
import org.diffij.models.clip.ClipTextModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every adapter kind, as a file built here from known factors on the tiny SD1.5 and SDXL models,
 * gives the UNet and text-encoder outputs of the weights merged by the kind's formula (computed
 * here independently, in plain loops): at run time on the unchanged cached UNet and merged into
 * loaded weights, with separate text-encoder and UNet multipliers.
 */
class LoraKindsTest {

    private static final String ATTN = "down_blocks.1.attentions.0.transformer_blocks.0.";
    private static final String TO_Q = ATTN + "attn1.to_q";
    private static final String TO_K = ATTN + "attn1.to_k";
    private static final String FF = ATTN + "ff.net.0.proj";
    private static final String CONV = "down_blocks.1.resnets.0.conv1";
    private static final String PROJ_IN = "down_blocks.1.attentions.0.proj_in";
    private static final String LAYER_NORM = ATTN + "norm1";
    private static final String GROUP_NORM = "down_blocks.1.resnets.0.norm1";
    private static final String TEXT_Q = "text_model.encoder.layers.0.self_attn.q_proj";
    private static final String TEXT_FC1 = "text_model.encoder.layers.0.mlp.fc1";
    private static final float TEXT_SCALE = 0.8f;
    private static final float UNET_SCALE = 0.6f;
    private static final float TOLERANCE = 1e-4f;

    /** An adapter file under test and the per-weight changes (at multiplier 1) its formula gives. */
    private static final class Built {
        final String kind;
        final Map<String, HostTensor> file = new LinkedHashMap<>();
        /** "component/weight name" → ΔW. */
        final Map<String, float[]> deltas = new LinkedHashMap<>();

        Built(String kind) {
            this.kind = kind;
        }
    }

    @TempDir
    Path temp;

    @Test
    void everyKindMatchesItsFormulaOnSd15() {
        check("tiny-sd15", false);
    }

    @Test
    void everyKindMatchesItsFormulaOnSdxl() {
        check("tiny-sdxl", true);
    }

    private void check(String modelName, boolean xl) {
        Path model = Golden.manifest().modelPath(modelName);
        List<String> components = xl ? List.of("unet", "text_encoder", "text_encoder_2")
                : List.of("unet", "text_encoder");
        Map<String, WeightSet> base = new LinkedHashMap<>();
        try {
            for (String c : components) {
                base.put(c, WeightSet.openFolder(model.resolve(c)));
            }
            KohyaNames kohya = KohyaNames.of(UNet2DConditionConfig.from(
                    Json.readObject(model.resolve("unet/config.json"))), xl);
            List<Built> kinds = kinds(base, kohya, xl);
            List<String> failures = DiffijEngine.get().queue().run("adapter kinds", ctx -> run(ctx.manager(),
                    ctx.engine().computeType(), model, base, kinds, xl));
            assertTrue(failures.isEmpty(), String.join("\n", failures));
        } finally {
            base.values().forEach(WeightSet::close);
        }
    }

    private List<String> run(NDManager m, DataType type, Path model, Map<String, WeightSet> base, List<Built> kinds,
            boolean xl) {
        UNet2DConditionConfig config = UNet2DConditionConfig.from(Json.readObject(model.resolve("unet/config.json")));
        UNet2DConditionModel cached = new UNet2DConditionModel(config, base.get("unet"), m, type);
        NDArray sample = m.randomNormal(new Shape(1, 4, 8, 8));
        NDArray timestep = m.create(new float[] {321f});
        NDArray context = m.randomNormal(new Shape(1, 8, config.crossAttentionDim()[0]));
        AddedConditions added = xl ? new AddedConditions(m.randomNormal(new Shape(1,
                config.projectionClassEmbeddingsInputDim() - 6L * config.additionTimeEmbedDim())),
                m.create(new float[] {8, 8, 0, 0, 8, 8}, new Shape(1, 6))) : null;
        NDArray ids = m.create(new long[] {49406, 320, 1125, 539, 49407}, new Shape(1, 5));
        NDArray plain = cached.forward(sample, timestep, context, added, null);
        List<String> failures = new ArrayList<>();
        for (Built built : kinds) {
            try (NDManager scope = m.newSubManager()) {
                LoraAdapter adapter = LoraAdapter.parse(built.kind, weights(built.file), base);
                List<AppliedLora> applied = List.of(new AppliedLora(adapter, TEXT_SCALE, UNET_SCALE));
                Set<String> touched = new java.util.TreeSet<>();
                built.deltas.keySet().forEach(k -> touched.add(k.substring(0, k.indexOf('/'))));
                for (String component : touched) {
                    Weights expected = merged(base.get(component), component, built.deltas);
                    if (component.equals("unet")) {
                        NDArray want = new UNet2DConditionModel(config, expected, scope, type)
                                .forward(sample, timestep, context, added, null);
                        NDArray runTime = RuntimeLora.of(applied, "unet", base.get("unet"), scope, type)
                                .applying(() -> cached.forward(sample, timestep, context, added, null));
                        NDArray loaded = new UNet2DConditionModel(config, new LoraWeights(base.get("unet"), "unet",
                                applied, scope), scope, type).forward(sample, timestep, context, added, null);
                        compare(failures, built.kind + " unet run time", runTime, want, plain);
                        compare(failures, built.kind + " unet merged", loaded, want, plain);
                    } else {
                        ClipTextConfig textConfig = ClipTextConfig.read(model.resolve(component + "/config.json"));
                        NDArray want = ClipTextModel.load(textConfig, expected, scope, type).forward(ids)
                                .lastHiddenState();
                        NDArray got = ClipTextModel.load(textConfig, new LoraWeights(base.get(component), component,
                                applied, scope), scope, type).forward(ids).lastHiddenState();
                        NDArray none = ClipTextModel.load(textConfig, base.get(component), scope, type).forward(ids)
                                .lastHiddenState();
                        compare(failures, built.kind + " " + component, got, want, none);
                    }
                }
                NDArray again = cached.forward(sample, timestep, context, added, null);
                if (again.sub(plain).abs().max().getFloat() != 0) {
                    failures.add(built.kind + ": the cached UNet changed");
                }
            }
        }
        return failures;
    }

    private static void compare(List<String> failures, String what, NDArray got, NDArray want, NDArray without) {
        float error = got.sub(want).abs().max().getFloat();
        float change = want.sub(without).abs().max().getFloat();
        if (!(error < TOLERANCE) || !(change > 100 * TOLERANCE)) {
            failures.add(what + ": max error " + error + " for a change of " + change);
        }
    }

    /** The base weights with {@code W + multiplier · ΔW} for the changed ones. */
    private static Weights merged(Weights base, String component, Map<String, float[]> deltas) {
        float scale = component.equals("unet") ? UNET_SCALE : TEXT_SCALE;
        return new Weights() {
            @Override
            public Set<String> names() {
                return base.names();
            }

            @Override
            public HostTensor read(String name) {
                HostTensor stored = base.read(name);
                float[] delta = deltas.get(component + "/" + name);
                if (delta == null) {
                    return stored;
                }
                float[] w = stored.toFloatArray();
                for (int i = 0; i < w.length; i++) {
                    w[i] += scale * delta[i];
                }
                return HostTensor.ofFloats(w, stored.shape());
            }
        };
    }

    static Weights weights(Map<String, HostTensor> tensors) {
        return new Weights() {
            @Override
            public Set<String> names() {
                return tensors.keySet();
            }

            @Override
            public HostTensor read(String name) {
                return tensors.get(name);
            }
        };
    }

    // ---- the kinds, each with its change computed by formula ----

    private final Random random = new Random(16);

    private float[] normal(int n, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextGaussian() * std);
        }
        return v;
    }

    private HostTensor put(Built b, String key, float[] values, long... shape) {
        HostTensor t = HostTensor.ofFloats(values, shape);
        b.file.put(key, t);
        return t;
    }

    private static long[] shape(Map<String, WeightSet> base, String component, String module) {
        return base.get(component).read(module + ".weight").shape();
    }

    private static float[] scaled(float[] v, float s) {
        float[] out = v.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] *= s;
        }
        return out;
    }

    /** {@code a [m, k] · b [k, n]}. */
    static float[] mm(float[] a, float[] b, int m, int k, int n) {
        float[] out = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int r = 0; r < k; r++) {
                for (int j = 0; j < n; j++) {
                    out[i * n + j] += a[i * k + r] * b[r * n + j];
                }
            }
        }
        return out;
    }

    /** {@code Σ up[o, a] core[a, b, q] down[b, i]} as {@code [o, i, q]}. */
    static float[] tucker(float[] up, float[] core, float[] down, int o, int a, int b, int q, int in) {
        float[] out = new float[o * in * q];
        for (int p = 0; p < o; p++) {
            for (int x = 0; x < a; x++) {
                for (int y = 0; y < b; y++) {
                    for (int k = 0; k < q; k++) {
                        float c = up[p * a + x] * core[(x * b + y) * q + k];
                        for (int i = 0; i < in; i++) {
                            out[(p * in + i) * q + k] += c * down[y * in + i];
                        }
                    }
                }
            }
        }
        return out;
    }

    private static float[] transpose(float[] v, int rows, int cols) {
        float[] out = new float[v.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = v[r * cols + c];
            }
        }
        return out;
    }

    /** kron of {@code a [p, s]} and {@code b [c, d, q]} as {@code [p·c, s·d, q]}. */
    static float[] kron(float[] a, int p, int s, float[] b, int c, int d, int q) {
        float[] out = new float[p * c * s * d * q];
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < s; j++) {
                for (int x = 0; x < c; x++) {
                    for (int y = 0; y < d; y++) {
                        for (int k = 0; k < q; k++) {
                            out[((i * c + x) * (s * d) + j * d + y) * q + k] = a[i * s + j] * b[(x * d + y) * q + k];
                        }
                    }
                }
            }
        }
        return out;
    }

    private String name(KohyaNames kohya, String component, String module) {
        return kohya.kohyaName(component, module);
    }

    private void lora(Built b, String layer, String component, String module, long[] w, int rank, float alpha) {
        int out = (int) w[0];
        int in = (int) (HostTensor.numel(w) / out);
        float[] down = normal(rank * in, 0.3);
        float[] up = normal(out * rank, 0.3);
        put(b, layer + ".lora_down.weight", down, w.length == 4 ? new long[] {rank, w[1], w[2], w[3]}
                : new long[] {rank, in});
        put(b, layer + ".lora_up.weight", up, w.length == 4 ? new long[] {out, rank, 1, 1} : new long[] {out, rank});
        put(b, layer + ".alpha", new float[] {alpha});
        b.deltas.put(component + "/" + module + ".weight", scaled(mm(up, down, out, rank, in), alpha / rank));
    }

    private List<Built> kinds(Map<String, WeightSet> base, KohyaNames kohya, boolean xl) {
        List<Built> kinds = new ArrayList<>();
        String text = xl ? "text_encoder_2" : "text_encoder";
        long[] q = shape(base, "unet", TO_Q);
        long[] conv = shape(base, "unet", CONV);
        int out = (int) q[0];
        int in = (int) q[1];

        Built lora = new Built("LoRA (kohya names)");
        lora(lora, name(kohya, "unet", TO_Q), "unet", TO_Q, q, 4, 2f);
        lora(lora, name(kohya, "unet", FF), "unet", FF, shape(base, "unet", FF), 3, 3f);
        lora(lora, name(kohya, text, TEXT_Q), text, TEXT_Q, shape(base, text, TEXT_Q), 2, 1f);
        kinds.add(lora);

        Built peft = new Built("LoRA (diffusers/PEFT names)");
        float[] a = normal(4 * in, 0.3);
        float[] bb = normal(out * 4, 0.3);
        put(peft, "unet." + TO_Q + ".lora_A.weight", a, 4, in);
        put(peft, "unet." + TO_Q + ".lora_B.weight", bb, out, 4);
        peft.deltas.put("unet/" + TO_Q + ".weight", mm(bb, a, out, 4, in));
        float[] pa = normal(4 * in, 0.3);
        float[] pb = normal(out * 4, 0.3);
        put(peft, "unet." + TO_K.replace("attn1.to_k", "attn1.processor.to_k_lora.down.weight"), pa, 4, in);
        put(peft, "unet." + TO_K.replace("attn1.to_k", "attn1.processor.to_k_lora.up.weight"), pb, out, 4);
        peft.deltas.put("unet/" + TO_K + ".weight", mm(pb, pa, out, 4, in));
        kinds.add(peft);

        Built locon = new Built("LoCon 3x3");
        lora(locon, name(kohya, "unet", CONV), "unet", CONV, conv, 4, 4f);
        kinds.add(locon);

        Built tuckerLora = new Built("LoCon Tucker lora_mid");
        String layer = name(kohya, "unet", CONV);
        int co = (int) conv[0];
        int ci = (int) conv[1];
        int r = 3;
        float[] down = normal(r * ci, 0.3);
        float[] mid = normal(r * r * 9, 0.3);
        float[] up = normal(co * r, 0.3);
        put(tuckerLora, layer + ".lora_down.weight", down, r, ci, 1, 1);
        put(tuckerLora, layer + ".lora_mid.weight", mid, r, r, 3, 3);
        put(tuckerLora, layer + ".lora_up.weight", up, co, r, 1, 1);
        put(tuckerLora, layer + ".alpha", new float[] {1.5f});
        tuckerLora.deltas.put("unet/" + CONV + ".weight", scaled(tucker(up, mid, down, co, r, r, 9, ci), 1.5f / r));
        kinds.add(tuckerLora);

        Built loha = new Built("LoHa");
        for (String[] target : new String[][] {{"unet", TO_Q}, {text, TEXT_FC1}}) {
            long[] w = shape(base, target[0], target[1]);
            int o = (int) w[0];
            int i = (int) w[1];
            String key = name(kohya, target[0], target[1]);
            float[] w1a = normal(o * 4, 0.5);
            float[] w1b = normal(4 * i, 0.5);
            float[] w2a = normal(o * 4, 0.5);
            float[] w2b = normal(4 * i, 0.5);
            put(loha, key + ".hada_w1_a", w1a, o, 4);
            put(loha, key + ".hada_w1_b", w1b, 4, i);
            put(loha, key + ".hada_w2_a", w2a, o, 4);
            put(loha, key + ".hada_w2_b", w2b, 4, i);
            put(loha, key + ".alpha", new float[] {2f});
            float[] m1 = mm(w1a, w1b, o, 4, i);
            float[] m2 = mm(w2a, w2b, o, 4, i);
            for (int k = 0; k < m1.length; k++) {
                m1[k] *= m2[k] * 2f / 4;
            }
            loha.deltas.put(target[0] + "/" + target[1] + ".weight", m1);
        }
        kinds.add(loha);

        Built lohaTucker = new Built("LoHa Tucker");
        float[][] factor = new float[2][];
        for (int n = 0; n < 2; n++) {
            float[] t = normal(r * r * 9, 0.5);
            float[] wa = normal(r * co, 0.5);
            float[] wb = normal(r * ci, 0.5);
            put(lohaTucker, layer + ".hada_t" + (n + 1), t, r, r, 3, 3);
            put(lohaTucker, layer + ".hada_w" + (n + 1) + "_a", wa, r, co);
            put(lohaTucker, layer + ".hada_w" + (n + 1) + "_b", wb, r, ci);
            factor[n] = tucker(transpose(wa, r, co), t, wb, co, r, r, 9, ci);
        }
        for (int k = 0; k < factor[0].length; k++) {
            factor[0][k] *= factor[1][k];
        }
        lohaTucker.deltas.put("unet/" + CONV + ".weight", factor[0]);
        kinds.add(lohaTucker);

        Built lokr = new Built("LoKr");
        String qName = name(kohya, "unet", TO_Q);
        float[] w1 = normal(4 * 8, 0.5);
        float[] w2a = normal(out / 4 * 2, 0.5);
        float[] w2b = normal(2 * in / 8, 0.5);
        put(lokr, qName + ".lokr_w1", w1, 4, 8);
        put(lokr, qName + ".lokr_w2_a", w2a, out / 4, 2);
        put(lokr, qName + ".lokr_w2_b", w2b, 2, in / 8);
        put(lokr, qName + ".alpha", new float[] {1f});
        lokr.deltas.put("unet/" + TO_Q + ".weight", scaled(kron(w1, 4, 8, mm(w2a, w2b, out / 4, 2, in / 8),
                out / 4, in / 8, 1), 1f / 2));
        long[] fc = shape(base, text, TEXT_FC1);
        String fcName = name(kohya, text, TEXT_FC1);
        // fc1 has a prime number of outputs: the first factor keeps one row.
        float[] t1 = normal(4, 0.5);
        float[] t2 = normal((int) (fc[0] * fc[1] / 4), 0.5);
        put(lokr, fcName + ".lokr_w1", t1, 1, 4);
        put(lokr, fcName + ".lokr_w2", t2, fc[0], fc[1] / 4);
        lokr.deltas.put(text + "/" + TEXT_FC1 + ".weight", kron(t1, 1, 4, t2, (int) fc[0], (int) fc[1] / 4, 1));
        kinds.add(lokr);

        Built lokrTucker = new Built("LoKr Tucker conv");
        float[] k1 = normal(2 * 2, 0.5);
        int c2 = co / 2;
        int i2 = ci / 2;
        float[] k2a = normal(r * c2, 0.5);
        float[] k2b = normal(r * i2, 0.5);
        float[] kt = normal(r * r * 9, 0.5);
        put(lokrTucker, layer + ".lokr_w1", k1, 2, 2);
        put(lokrTucker, layer + ".lokr_w2_a", k2a, r, c2);
        put(lokrTucker, layer + ".lokr_w2_b", k2b, r, i2);
        put(lokrTucker, layer + ".lokr_t2", kt, r, r, 3, 3);
        put(lokrTucker, layer + ".alpha", new float[] {6f});
        lokrTucker.deltas.put("unet/" + CONV + ".weight", scaled(kron(k1, 2, 2,
                tucker(transpose(k2a, r, c2), kt, k2b, c2, r, r, 9, i2), c2, i2, 9), 6f / r));
        kinds.add(lokrTucker);

        Built dora = new Built("DoRA");
        float[] dd = normal(4 * in, 0.3);
        float[] du = normal(out * 4, 0.3);
        float[] magnitude = new float[in];
        for (int i = 0; i < in; i++) {
            magnitude[i] = 0.5f + random.nextFloat();
        }
        put(dora, qName + ".lora_down.weight", dd, 4, in);
        put(dora, qName + ".lora_up.weight", du, out, 4);
        put(dora, qName + ".alpha", new float[] {2f});
        put(dora, qName + ".dora_scale", magnitude, 1, in);
        float[] weight = base.get("unet").read(TO_Q + ".weight").toFloatArray();
        float[] merged = mm(du, dd, out, 4, in);
        for (int k = 0; k < merged.length; k++) {
            merged[k] = weight[k] + merged[k] * 2f / 4;
        }
        float[] delta = new float[merged.length];
        for (int i = 0; i < in; i++) {
            double norm = 0;
            for (int o = 0; o < out; o++) {
                norm += merged[o * in + i] * merged[o * in + i];
            }
            for (int o = 0; o < out; o++) {
                delta[o * in + i] = (float) (merged[o * in + i] * magnitude[i] / Math.sqrt(norm)) - weight[o * in + i];
            }
        }
        dora.deltas.put("unet/" + TO_Q + ".weight", delta);
        kinds.add(dora);

        Built full = new Built("full diff");
        long[] proj = shape(base, "unet", PROJ_IN);
        String projName = name(kohya, "unet", PROJ_IN);
        float[] diff = normal((int) HostTensor.numel(proj), 0.1);
        float[] diffB = normal((int) proj[0], 0.3);
        put(full, projName + ".diff", diff, proj);
        put(full, projName + ".diff_b", diffB, proj[0]);
        full.deltas.put("unet/" + PROJ_IN + ".weight", diff);
        full.deltas.put("unet/" + PROJ_IN + ".bias", diffB);
        kinds.add(full);

        Built ia3 = new Built("IA3");
        String kName = name(kohya, "unet", TO_K);
        float[] gate = normal(out, 0.5);
        put(ia3, kName + ".weight", gate, out);
        float[] kWeight = base.get("unet").read(TO_K + ".weight").toFloatArray();
        float[] ia3Delta = new float[kWeight.length];
        for (int k = 0; k < kWeight.length; k++) {
            ia3Delta[k] = kWeight[k] * gate[k / in];
        }
        ia3.deltas.put("unet/" + TO_K + ".weight", ia3Delta);
        kinds.add(ia3);

        Built norm = new Built("norm layers");
        for (String[] target : new String[][] {{"unet", LAYER_NORM}, {"unet", GROUP_NORM}}) {
            int channels = (int) shape(base, target[0], target[1])[0];
            String key = name(kohya, target[0], target[1]);
            float[] wn = normal(channels, 0.3);
            float[] bn = normal(channels, 0.3);
            put(norm, key + ".w_norm", wn, channels);
            put(norm, key + ".b_norm", bn, channels);
            norm.deltas.put(target[0] + "/" + target[1] + ".weight", wn);
            norm.deltas.put(target[0] + "/" + target[1] + ".bias", bn);
        }
        kinds.add(norm);
        return kinds;
    }

    /** A kohya SDXL LoRA written to a file with LDM-style names reads back and names its layers right. */
    @Test
    void kohyaSdxlFileReadsBack() {
        Path model = Golden.manifest().modelPath("tiny-sdxl");
        Path file = temp.resolve("sdxl-kohya.safetensors");
        Map<String, HostTensor> tensors = new HashMap<>();
        tensors.put("lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_q.lora_down.weight",
                HostTensor.ofFloats(normal(2 * 64, 0.3), 2, 64));
        tensors.put("lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_q.lora_up.weight",
                HostTensor.ofFloats(normal(64 * 2, 0.3), 64, 2));
        tensors.put("lora_unet_output_blocks_2_2_conv.lora_down.weight",
                HostTensor.ofFloats(normal(2 * 64 * 9, 0.3), 2, 64, 3, 3));
        tensors.put("lora_unet_output_blocks_2_2_conv.lora_up.weight", HostTensor.ofFloats(normal(64 * 2, 0.3),
                64, 2, 1, 1));
        tensors.put("lora_te2_text_model_encoder_layers_0_self_attn_q_proj.lora_down.weight",
                HostTensor.ofFloats(normal(2 * 32, 0.3), 2, 32));
        tensors.put("lora_te2_text_model_encoder_layers_0_self_attn_q_proj.lora_up.weight",
                HostTensor.ofFloats(normal(32 * 2, 0.3), 32, 2));
        SafetensorsWriter.write(file, tensors, Map.of("ss_network_module", "networks.lora"));
        Map<String, WeightSet> base = new LinkedHashMap<>();
        try {
            for (String c : List.of("unet", "text_encoder", "text_encoder_2")) {
                base.put(c, WeightSet.openFolder(model.resolve(c)));
            }
            LoraAdapter adapter = LoraAdapter.read(file, base);
            assertTrue(adapter.layers("unet").keySet().equals(Set.of(
                    "down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q", "up_blocks.0.upsamplers.0.conv")),
                    adapter.layers("unet").keySet().toString());
            assertTrue(adapter.layers("text_encoder_2").containsKey(TEXT_Q));
            assertTrue(adapter.namings().contains("kohya/LyCORIS (LDM UNet names)"), adapter.namings().toString());
        } finally {
            base.values().forEach(WeightSet::close);
        }
    }
}
