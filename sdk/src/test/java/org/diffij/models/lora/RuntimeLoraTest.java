package org.diffij.models.lora;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.diffij.engine.DiffijEngine;
import org.diffij.io.Json;
import org.diffij.io.WeightSet;
import org.diffij.models.unet.UNet2DConditionConfig;
import org.diffij.models.unet.UNet2DConditionModel;
import org.diffij.parity.Golden;
import org.junit.jupiter.api.Test;

/**
 * Two kohya LoRAs (the tiny SD1.5 one at two scales) applied at run time on the unchanged base UNet
 * give the prediction of the UNet built from the merged weights, and differ clearly from the base.
 */
class RuntimeLoraTest {

    @Test
    void runTimeBranchesEqualMergedWeights() {
        Path sd15 = Golden.manifest().modelPath("tiny-sd15");
        Path lora = sd15.getParent().resolve("lora/tiny-sd15-lora-kohya.safetensors");
        float[] errors = DiffijEngine.get().queue().run("runtime lora", ctx -> {
            NDManager m = ctx.manager();
            try (WeightSet unetWeights = WeightSet.openFolder(sd15.resolve("unet"));
                    WeightSet textWeights = WeightSet.openFolder(sd15.resolve("text_encoder"))) {
                LoraAdapter adapter = LoraAdapter.read(lora, Map.of("unet", unetWeights, "text_encoder", textWeights));
                List<AppliedLora> applied = List.of(new AppliedLora(adapter, 0.6f), new AppliedLora(adapter, 0.3f));
                UNet2DConditionConfig config = UNet2DConditionConfig.from(
                        Json.readObject(sd15.resolve("unet/config.json")));
                var type = ctx.engine().computeType();
                UNet2DConditionModel base = new UNet2DConditionModel(config, unetWeights, m, type);
                UNet2DConditionModel merged = new UNet2DConditionModel(config,
                        new LoraWeights(unetWeights, "unet", applied, m), m, type);
                NDArray sample = m.randomNormal(new Shape(1, 4, 16, 16));
                NDArray timestep = m.create(new float[] {321f});
                NDArray context = m.randomNormal(new Shape(1, 77, 32));
                NDArray plain = base.forward(sample, timestep, context);
                NDArray runTime = RuntimeLora.of(applied, "unet", unetWeights, m, type)
                        .applying(() -> base.forward(sample, timestep, context));
                NDArray fused = merged.forward(sample, timestep, context);
                NDArray again = base.forward(sample, timestep, context);
                return new float[] {runTime.sub(fused).abs().max().getFloat(),
                        runTime.sub(plain).abs().max().getFloat(), again.sub(plain).abs().max().getFloat()};
            }
        });
        assertTrue(errors[0] < 1e-4, "run time vs merged: " + errors[0]);
        assertTrue(errors[1] > 1e-2, "the LoRA changes the prediction by only " + errors[1]);
        assertTrue(errors[2] == 0, "the base UNet changed after a run-time LoRA: " + errors[2]);
    }
}
