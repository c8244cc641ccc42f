package org.diffij.parity.areas;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diffij.engine.DiffijEngine;
import org.diffij.engine.Tensors;
import org.diffij.io.HostTensor;
import org.diffij.io.WeightSet;
import org.diffij.models.lora.AppliedLora;
import org.diffij.models.lora.LoraAdapter;
import org.diffij.models.lora.LoraWeights;
import org.diffij.models.lora.RuntimeLora;
import org.diffij.models.unet.UNet2DConditionModel;
import org.diffij.parity.AreaRunner;
import org.diffij.parity.GoldenCase;
import org.diffij.models.clip.ClipTextConfig;
import org.diffij.models.clip.ClipTextModel;

/**
 * The {@code lora} golden area: the UNet prediction (LoRA at run time on the cached UNet) and the
 * prompt embeddings (LoRA merged into the text encoder's weights) without the LoRA, at the case's
 * scale and at 1.0, and the merged weights the case lists ({@code fused_<component>.<key>}).
 */
public final class LoraAreaRunner implements AreaRunner {

    private static final String FUSED = "fused_";

    @Override
    public String area() {
        return "lora";
    }

    @Override
    public Map<String, HostTensor> run(GoldenCase golden) {
        Path model = golden.modelPath();
        Path loraFile = golden.manifest().root().resolve(golden.params().get("lora_file").getAsString());
        float scale = golden.params().get("lora_scale").getAsFloat();
        Map<String, HostTensor> out = new HashMap<>();
        Map<String, WeightSet> base = new LinkedHashMap<>();
        try {
            for (String component : List.of("unet", "text_encoder")) {
                base.put(component, WeightSet.openFolder(model.resolve(component)));
            }
            LoraAdapter adapter = LoraAdapter.read(loraFile, base);
            for (String output : golden.outputNames()) {
                if (output.startsWith(FUSED)) {
                    String target = output.substring(FUSED.length());
                    String component = target.substring(0, target.indexOf('.'));
                    String name = target.substring(component.length() + 1);
                    out.put(output, DiffijEngine.get().queue().run("lora fuse", ctx -> new LoraWeights(
                            base.get(component), component, List.of(new AppliedLora(adapter, scale)), ctx.manager())
                            .read(name)));
                }
            }
            Path unetFolder = model.resolve("unet");
            DiffijEngine engine = DiffijEngine.get();
            DataType type = engine.computeType();
            out.putAll(engine.queue().run("lora " + golden.id(), ctx -> {
                NDManager m = ctx.manager();
                NDArray sample = Tensors.toNDArray(m, golden.input("sample"), type);
                NDArray timestep = Tensors.toNDArray(m, golden.input("timestep"), type);
                NDArray context = Tensors.toNDArray(m, golden.input("encoder_hidden_states"), type);
                Map<String, HostTensor> predictions = new HashMap<>();
                Map<String, Float> scales = Map.of("noise_pred_no_lora", 0f, "noise_pred_scale1p0", 1f,
                        "noise_pred_" + scaleName(scale), scale);
                UNet2DConditionModel unet = UNet2DConditionModel.cached(ctx, unetFolder);
                for (Map.Entry<String, Float> s : scales.entrySet()) {
                    // Run time: the cached base UNet plus the LoRA's low-rank branches, as diffusers computes it.
                    RuntimeLora lora = RuntimeLora.of(List.of(new AppliedLora(adapter, s.getValue())), "unet",
                            base.get("unet"), m, type);
                    NDArray prediction = lora.applying(() -> unet.forward(sample, timestep, context));
                    predictions.put(s.getKey(), Tensors.toHost(prediction));
                }
                ClipTextConfig textConfig = ClipTextConfig.read(model.resolve("text_encoder/config.json"));
                NDArray ids = Tensors.toNDArray(m, golden.input("input_ids"), type);
                for (Map.Entry<String, Float> s : scales.entrySet()) {
                    ClipTextModel encoder = ClipTextModel.load(textConfig, new LoraWeights(base.get("text_encoder"),
                            "text_encoder", List.of(new AppliedLora(adapter, s.getValue())), m), m, type);
                    predictions.put(s.getKey().replace("noise_pred", "prompt_embeds"),
                            Tensors.toHost(encoder.forward(ids).lastHiddenState()));
                }
                return predictions;
            }));
        } finally {
            base.values().forEach(WeightSet::close);
        }
        return out;
    }

    /** 0.7 → {@code scale0p7}, as the case names its outputs. */
    private static String scaleName(float scale) {
        return ("scale" + scale).replace('.', 'p');
    }
}
