package org.diffij.schedulers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.diffij.DiffijException;
import org.diffij.engine.DiffijEngine;
import org.diffij.engine.Tensors;
import org.diffij.io.HostTensor;
import org.diffij.io.Json;
import org.diffij.parity.Golden;
import org.diffij.parity.GoldenCase;
import org.junit.jupiter.api.Test;

/** The training math of the DDPM schedule against the values the diffusers training scripts computed. */
class NoiseScheduleTrainingTest {

    private static NoiseSchedule scheduleOf(GoldenCase golden) {
        return NoiseSchedule.forTraining(Json.readObject(golden.modelPath().resolve("scheduler/scheduler_config.json")));
    }

    private static NDArray input(NDManager manager, GoldenCase golden, String name) {
        return Tensors.toNDArray(manager, golden.input(name), DataType.FLOAT32);
    }

    /** Largest |y - r| relative to max |r|. */
    private static double relativeMaxError(HostTensor produced, HostTensor reference) {
        double[] y = produced.toDoubleArray();
        double[] r = reference.toDoubleArray();
        assertEquals(r.length, y.length);
        double worst = 0;
        double scale = 0;
        for (int i = 0; i < y.length; i++) {
            worst = Math.max(worst, Math.abs(y[i] - r[i]));
            scale = Math.max(scale, Math.abs(r[i]));
        }
        return worst / scale;
    }

    @Test
    void alphasCumprodAtTheCaseTimestepsAreTheScriptsFloat32Values() {
        for (String id : new String[] {"training/lora_sd15_min_snr5", "training/lora_sd21v_vpred"}) {
            GoldenCase golden = Golden.golden(id);
            NoiseSchedule schedule = scheduleOf(golden);
            long[] timesteps = golden.input("timesteps").toLongArray();
            for (int i = 0; i < timesteps.length; i++) {
                float expected = golden.params().getAsJsonArray("alphas_cumprod_at_timesteps").get(i).getAsFloat();
                assertEquals(expected, schedule.alphaCumprod((int) timesteps[i]), 0f, id + " t=" + timesteps[i]);
            }
        }
    }

    @Test
    void noisyLatentsSnrAndMinSnrWeightsMatchTheEpsilonCase() {
        GoldenCase golden = Golden.golden("training/lora_sd15_min_snr5");
        NoiseSchedule schedule = scheduleOf(golden);
        assertEquals(PredictionType.EPSILON, schedule.predictionType());
        double gamma = golden.params().get("snr_gamma").getAsDouble();
        DiffijEngine.get().queue().run("noise schedule", ctx -> {
            NDManager m = ctx.manager();
            NDArray latents = Tensors.toNDArray(m, golden.expected("latents"), DataType.FLOAT32);
            NDArray timesteps = Tensors.toNDArray(m, golden.input("timesteps"), DataType.FLOAT32);
            HostTensor noisy = Tensors.toHost(schedule.addNoise(latents, input(m, golden, "noise"), timesteps));
            assertTrue(relativeMaxError(noisy, golden.expected("noisy_latents")) < 1e-6);
            HostTensor snr = Tensors.toHost(schedule.snr(timesteps));
            assertTrue(relativeMaxError(snr, golden.expected("snr")) < 1e-6, snr.toString());
            HostTensor weights = Tensors.toHost(schedule.minSnrWeights(timesteps, gamma, PredictionType.EPSILON));
            assertTrue(relativeMaxError(weights, golden.expected("mse_loss_weights")) < 1e-6, weights.toString());
            // One sample is below gamma (weight gamma/snr < 1), the other above (weight 1): both branches ran.
            float[] w = weights.toFloatArray();
            assertTrue(w[0] < 0.5f && w[1] == 1f, weights.toString());
            return null;
        });
    }

    @Test
    void velocityTargetMatchesTheVPredictionCase() {
        GoldenCase golden = Golden.golden("training/lora_sd21v_vpred");
        NoiseSchedule schedule = scheduleOf(golden);
        assertEquals(PredictionType.V_PREDICTION, schedule.predictionType());
        DiffijEngine.get().queue().run("velocity", ctx -> {
            NDManager m = ctx.manager();
            NDArray latents = Tensors.toNDArray(m, golden.expected("latents"), DataType.FLOAT32);
            NDArray noise = input(m, golden, "noise");
            NDArray timesteps = Tensors.toNDArray(m, golden.input("timesteps"), DataType.INT64);
            assertTrue(relativeMaxError(Tensors.toHost(schedule.velocity(latents, noise, timesteps)),
                    golden.expected("target")) < 1e-6);
            assertTrue(relativeMaxError(Tensors.toHost(schedule.addNoise(latents, noise, timesteps)),
                    golden.expected("noisy_latents")) < 1e-6);
            return null;
        });
        assertThrows(DiffijException.class, () -> DiffijEngine.get().queue().run("sample target", ctx ->
                schedule.minSnrWeights(ctx.manager().create(new long[] {1}), 5, PredictionType.SAMPLE)));
    }

    @Test
    void noiseOffsetShiftsEachChannelByOneSeededDraw() {
        float[][] results = new float[2][];
        for (int run = 0; run < 2; run++) {
            int r = run;
            results[r] = DiffijEngine.get().queue().run("offset", ctx -> {
                NDArray noise = ctx.manager().zeros(new ai.djl.ndarray.types.Shape(2, 4, 3, 5));
                ctx.engine().seed(7);
                return NoiseSchedule.offsetNoise(noise, 0.1).toFloatArray();
            });
        }
        assertArrayEquals(results[0], results[1], "the same seed gives the same offset");
        float[] shifted = results[0];
        for (int plane = 0; plane < 8; plane++) {
            float first = shifted[plane * 15];
            assertTrue(first != 0f);
            assertTrue(Math.abs(first) < 0.6f, "offset * N(0,1): " + first);
            for (int i = 1; i < 15; i++) {
                assertEquals(first, shifted[plane * 15 + i], 0f, "constant over the plane");
            }
        }
        assertTrue(shifted[0] != shifted[15], "each channel draws its own shift");
    }
}
