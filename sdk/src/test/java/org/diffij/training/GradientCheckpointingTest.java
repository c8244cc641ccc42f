package org.diffij.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import org.diffij.engine.DiffijEngine;
import org.diffij.nn.Autograd;
import org.diffij.nn.ParameterTree;
import org.diffij.parity.Golden;
import org.diffij.pipelines.StableDiffusionModel;
import org.diffij.schedulers.NoiseSchedule;
import org.junit.jupiter.api.Test;

/**
 * A checkpointed forward (activations recomputed per UNet block during backward) gives the gradients
 * of the plain one: for LoRA and LoCon adapters on the UNet and the text encoders (whose gradient
 * arrives after the recomputed segments), and for full fine-tuning, on SD 1.5 and SDXL.
 */
class GradientCheckpointingTest {

    @Test
    void loraGradientsOnUNetAndTextEncoderAreThoseOfThePlainForward() {
        compare("tiny-sd15", false);
    }

    @Test
    void sdxlLoraGradientsOnBothTextEncodersAreThoseOfThePlainForward() {
        compare("tiny-sdxl", false);
    }

    @Test
    void fullFineTuneGradientsAreThoseOfThePlainForward() {
        compare("tiny-sd15", true);
    }

    private static void compare(String modelName, boolean fullFineTune) {
        java.nio.file.Path path = Golden.manifest().modelPath(modelName);
        DiffijEngine.get().queue().run("gradient checkpointing " + modelName, ctx -> {
            NDManager m = ctx.manager();
            StableDiffusionModel model = StableDiffusionModel.load(path, m, DataType.FLOAT32);
            ctx.engine().seed(11);
            Map<String, ParameterTree> components = new LinkedHashMap<>();
            components.put("unet", model.unet().parameters());
            components.put("text_encoder", model.textEncoder().parameters());
            if (model.isXl()) {
                components.put("text_encoder_2", model.textEncoder2().parameters());
            }
            Map<String, NDArray> trained;
            DenoisingObjective.Trainables trainables;
            if (fullFineTune) {
                trained = new FullFineTune(components).parameters();
                trainables = DenoisingObjective.Trainables.NONE;
            } else {
                LoraNetwork lora = LoraNetwork.create(components, LoraNetwork.Targets.of("kohya"),
                        new LoraNetwork.Dimension(4, 4), new LoraNetwork.Dimension(2, 1), m);
                // lora_B starts at zero, which would leave lora_A without a gradient: make both non-zero.
                lora.parameters().values().forEach(p -> Autograd.untracked(() -> p.addi(m.randomNormal(p.getShape())
                        .mul(m.create(0.05f)))));
                trained = lora.parameters();
                trainables = new DenoisingObjective.Trainables(lora, null);
            }
            DenoisingObjective plain = new DenoisingObjective(model.unet(), model.textEncoder(), model.textEncoder2(),
                    NoiseSchedule.forTraining(model.schedulerConfig()), NoiseSchedule.forTraining(
                            model.schedulerConfig()).predictionType(), 5);
            DenoisingObjective.Batch batch = batch(m, model);
            Map<String, float[]> expected = gradients(plain, batch, trainables, trained);
            Map<String, float[]> checkpointed = gradients(plain.withGradientCheckpointing(true), batch, trainables,
                    trained);
            assertEquals(expected.keySet(), checkpointed.keySet(), "the same tensors receive gradients");
            assertTrue(expected.keySet().stream().anyMatch(k -> k.startsWith("text_encoder")),
                    "the text encoder is among the trained tensors");
            if (!fullFineTune) {
                assertTrue(expected.keySet().stream().anyMatch(k -> k.contains("resnets")),
                        "LoCon's convolution adapters are among the trained tensors");
            }
            double largest = 0;
            for (float[] g : expected.values()) {
                for (float v : g) {
                    largest = Math.max(largest, Math.abs(v));
                }
            }
            assertTrue(largest > 0, "the gradients are not all zero");
            for (Map.Entry<String, float[]> e : expected.entrySet()) {
                float[] a = e.getValue();
                float[] b = checkpointed.get(e.getKey());
                for (int i = 0; i < a.length; i++) {
                    double bound = 1e-5 * largest + 1e-4 * Math.abs(a[i]);
                    if (Math.abs(a[i] - b[i]) > bound) {
                        throw new AssertionError(e.getKey() + "[" + i + "]: " + a[i] + " plain vs " + b[i]
                                + " checkpointed");
                    }
                }
            }
            return null;
        });
    }

    /** Two rows with their own timesteps; SDXL's second ids and size/crop ids as its trainer makes them. */
    private static DenoisingObjective.Batch batch(NDManager m, StableDiffusionModel model) {
        NDArray latents = m.randomNormal(new Shape(2, 4, 8, 8));
        NDArray noise = m.randomNormal(latents.getShape());
        NDArray timesteps = m.create(new long[] {120, 870});
        NDArray ids = ids(m, model.tokenizer().encodePadded("a photo of a red square").ids(),
                model.tokenizer().encodePadded("a blue circle").ids());
        if (!model.isXl()) {
            return new DenoisingObjective.Batch(latents, noise, timesteps, ids, null);
        }
        NDArray ids2 = ids(m, model.tokenizer2().encodePadded("a photo of a red square").ids(),
                model.tokenizer2().encodePadded("a blue circle").ids());
        NDArray timeIds = m.create(new float[] {64, 64, 0, 0, 64, 64, 80, 64, 8, 0, 64, 64}, new Shape(2, 6));
        return new DenoisingObjective.Batch(latents, noise, timesteps, ids, null, ids2, timeIds);
    }

    private static NDArray ids(NDManager m, long[] first, long[] second) {
        long[] both = new long[first.length + second.length];
        System.arraycopy(first, 0, both, 0, first.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return m.create(both, new Shape(2, first.length));
    }

    private static Map<String, float[]> gradients(DenoisingObjective objective, DenoisingObjective.Batch batch,
            DenoisingObjective.Trainables trainables, Map<String, NDArray> trained) {
        Map<String, float[]> gradients = new LinkedHashMap<>();
        try (NDManager step = batch.latents().getManager().newSubManager()) {
            try (Autograd.Tape tape = Autograd.start()) {
                tape.backward(objective.evaluate(batch, trainables).loss());
            }
            for (Map.Entry<String, NDArray> e : trained.entrySet()) {
                NDArray g = Autograd.gradient(e.getValue());
                if (g != null) {
                    g.attach(step);
                    gradients.put(e.getKey(), g.toFloatArray());
                }
                Autograd.zeroGradient(e.getValue());
            }
        }
        return gradients;
    }

}
