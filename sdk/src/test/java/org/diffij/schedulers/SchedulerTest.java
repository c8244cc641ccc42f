package org.diffij.schedulers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.diffij.DiffijException;
import org.diffij.io.HostTensor;
import org.diffij.noise.NoiseSource;
import org.diffij.noise.RecordedNoise;
import org.diffij.noise.TorchCpuNoise;
import org.junit.jupiter.api.Test;

class SchedulerTest {

    private static final long[] SHAPE = {1, 4, 2, 2};

    private static HostTensor latents(float value) {
        float[] v = new float[16];
        for (int i = 0; i < v.length; i++) {
            v[i] = value + i * 0.01f;
        }
        return HostTensor.ofFloats(v, SHAPE);
    }

    /** Runs the whole loop with a model that predicts {@code 0.1 * input}; returns the final latents. */
    private static float[] run(Scheduler scheduler, NoiseSource noise) {
        HostTensor x = latents(1f);
        float[] start = x.toFloatArray();
        for (int i = 0; i < start.length; i++) {
            start[i] *= (float) scheduler.initNoiseSigma();
        }
        x = HostTensor.ofFloats(start, SHAPE);
        while (!scheduler.finished()) {
            float[] input = scheduler.scaleModelInput(x).toFloatArray();
            for (int i = 0; i < input.length; i++) {
                input[i] *= 0.1f;
            }
            x = scheduler.step(HostTensor.ofFloats(input, SHAPE), x, noise);
        }
        return x.toFloatArray();
    }

    @Test
    void heunEvaluatesTheModelTwicePerInnerStepAndImg2imgSkipsWholeSteps() {
        Scheduler heun = Samplers.create("Heun", SamplersTest.sd15Config());
        heun.setTimesteps(10);
        assertEquals(2, heun.order());
        assertEquals(19, heun.timesteps().length);
        heun.setTimesteps(10, 0.5);
        double[] kept = heun.timesteps();
        assertEquals(9, kept.length, "the first kept step once, the 4 later ones twice");
        assertNotEquals(kept[0], kept[1]);
        assertEquals(kept[1], kept[2]);
    }

    @Test
    void img2imgStrengthKeepsIntOfStepsTimesStrength() {
        Scheduler ddim = Samplers.create("DDIM", SamplersTest.sd15Config());
        ddim.setTimesteps(10, 0.75);
        assertArrayEquals(new double[] {601, 501, 401, 301, 201, 101, 1}, ddim.timesteps());
        DiffijException none = assertThrows(DiffijException.class, () -> ddim.setTimesteps(10, 0.05));
        assertTrue(none.getMessage().contains("leaves no denoising step"), none.getMessage());
        assertThrows(DiffijException.class, () -> ddim.setTimesteps(10, 1.5));
        assertThrows(DiffijException.class, () -> ddim.setTimesteps(0));
        assertThrows(DiffijException.class, () -> ddim.setTimesteps(1001));
    }

    @Test
    void addNoiseFollowsTheCurrentTimestep() {
        Scheduler euler = Samplers.create("Euler", SamplersTest.sd15Config());
        euler.setTimesteps(4);
        HostTensor zero = HostTensor.ofFloats(new float[16], SHAPE);
        HostTensor ones = latents(1f);
        float before = euler.addNoise(zero, ones).toFloatArray()[0];
        assertEquals(euler.sigmas()[0], before, 1e-6);
        euler.step(zero, ones, new RecordedNoise(List.of(HostTensor.ofFloats(new float[16], SHAPE))));
        assertEquals(euler.sigmas()[1], euler.addNoise(zero, ones).toFloatArray()[0], 1e-6);
    }

    @Test
    void theLoopEndsAndRefusesExtraStepsAndMismatchedShapes() {
        Scheduler ddim = Samplers.create("DDIM", SamplersTest.sd15Config());
        assertThrows(IllegalStateException.class, ddim::timesteps);
        ddim.setTimesteps(3);
        HostTensor x = latents(0.5f);
        HostTensor wrong = HostTensor.ofFloats(new float[8], 1, 2, 2, 2);
        DiffijException mismatch = assertThrows(DiffijException.class, () -> ddim.step(wrong, x, null));
        assertTrue(mismatch.getMessage().contains("does not match"), mismatch.getMessage());
        run(ddim, null);
        assertTrue(ddim.finished());
        assertThrows(DiffijException.class, () -> ddim.step(x, x, null));
    }

    @Test
    void stochasticSamplersDrawOncePerStepAndSameSeedGivesSameResult() {
        for (String name : List.of("Euler a", "DDPM", "DPM++ 2M SDE", "Euler")) {
            Scheduler scheduler = Samplers.create(name, SamplersTest.sd15Config());
            scheduler.setTimesteps(6);
            List<HostTensor> draws = new ArrayList<>();
            TorchCpuNoise source = new TorchCpuNoise(3);
            for (int i = 0; i < 6; i++) {
                draws.add(source.randnTensor(SHAPE));
            }
            RecordedNoise recorded = new RecordedNoise(draws);
            float[] replayed = run(scheduler, recorded);
            assertEquals(0, recorded.remaining(), name + " draws once per step");
            Scheduler again = Samplers.create(name, SamplersTest.sd15Config());
            again.setTimesteps(6);
            assertArrayEquals(replayed, run(again, new TorchCpuNoise(3)), name);
            Scheduler otherSeed = Samplers.create(name, SamplersTest.sd15Config());
            otherSeed.setTimesteps(6);
            float[] different = run(otherSeed, new TorchCpuNoise(4));
            if (!name.equals("Euler")) {
                assertNotEquals(replayed[0], different[0], name + " depends on the noise");
            }
        }
    }

    @Test
    void deterministicSamplersNeverDraw() {
        for (String name : List.of("DDIM", "PLMS", "Heun", "LMS", "LMS Karras", "DPM++ 2M", "DPM++ 2M Karras",
                "UniPC")) {
            Scheduler scheduler = Samplers.create(name, SamplersTest.sd15Config());
            scheduler.setTimesteps(7);
            float[] out = run(scheduler, new RecordedNoise(List.of()));
            for (float v : out) {
                assertTrue(Float.isFinite(v), name);
            }
        }
    }

    @Test
    void badConfigsGiveOneLineErrorsNamingTheKey() {
        assertBadConfig("beta_schedule", "\"cosine\"", "beta_schedule 'cosine' is not supported");
        assertBadConfig("prediction_type", "\"noise\"", "prediction_type 'noise' is not supported");
        assertBadConfig("timestep_spacing", "\"random\"", "timestep_spacing 'random' is not supported");
        assertBadConfig("num_train_timesteps", "\"many\"", "'num_train_timesteps' must be a whole number");
        assertBadConfig("trained_betas", "[0.1, 0.2]", "trained_betas has 2 values");
        JsonObject thresholding = SamplersTest.sd15Config();
        thresholding.addProperty("thresholding", true);
        assertThrows(DiffijException.class, () -> Samplers.create("DDIM", thresholding));
        JsonObject prk = SamplersTest.sd15Config();
        prk.addProperty("skip_prk_steps", false);
        DiffijException error = assertThrows(DiffijException.class, () -> Samplers.create("PNDMScheduler", prk));
        assertTrue(error.getMessage().contains("PLMS"), error.getMessage());
        assertEquals(SchedulerType.PNDM, Samplers.create("PLMS", prk).type());
        JsonObject bh1 = SamplersTest.sd15Config();
        bh1.addProperty("solver_type", "bh1");
        DiffijException nan = assertThrows(DiffijException.class, () -> Samplers.create("UniPC", bh1));
        assertTrue(nan.getMessage().contains("sigma_min"), nan.getMessage());
        bh1.addProperty("final_sigmas_type", "sigma_min");
        assertEquals(SchedulerType.UNIPC, Samplers.create("UniPC", bh1).type());
        DiffijException unknownClass = assertThrows(DiffijException.class,
                () -> SchedulerType.forClassName("KDPM2DiscreteScheduler"));
        assertTrue(unknownClass.getMessage().contains("EulerDiscreteScheduler"));
    }

    private static void assertBadConfig(String key, String json, String expected) {
        JsonObject config = SamplersTest.sd15Config();
        config.add(key, com.google.gson.JsonParser.parseString(json));
        DiffijException error = assertThrows(DiffijException.class, () -> Samplers.create("Euler", config));
        assertTrue(error.getMessage().contains(expected), error.getMessage());
        assertTrue(error.getMessage().startsWith("scheduler config: "), error.getMessage());
    }

    @Test
    void squaredCosineAndTrainedBetasBuildValidSchedules() {
        JsonObject cosine = SamplersTest.sd15Config();
        cosine.addProperty("beta_schedule", "squaredcos_cap_v2");
        Scheduler euler = Samplers.create("Euler", cosine);
        euler.setTimesteps(10);
        float[] sigmas = euler.sigmas();
        for (int i = 1; i < sigmas.length; i++) {
            assertTrue(sigmas[i] < sigmas[i - 1], "sigmas decrease");
        }
        JsonObject trained = SamplersTest.sd15Config();
        com.google.gson.JsonArray betas = new com.google.gson.JsonArray();
        for (int i = 0; i < 1000; i++) {
            betas.add(0.00085 + i * 0.00001);
        }
        trained.add("trained_betas", betas);
        Scheduler ddim = Samplers.create("DDIM", trained);
        ddim.setTimesteps(4);
        assertEquals(4, ddim.timesteps().length);
    }

    @Test
    void zeroTerminalSnrClampsTheLastAlphaBarForSigmaSchedulers() {
        JsonObject config = SamplersTest.sd15Config();
        config.addProperty("rescale_betas_zero_snr", true);
        config.addProperty("timestep_spacing", "trailing");
        Scheduler euler = Samplers.create("Euler", config);
        euler.setTimesteps(10);
        // alpha_bar(999) = 0 is replaced by 2^-24: sigma = sqrt((1 - 2^-24) / 2^-24) = 4095.99...
        assertEquals(4096.0, euler.sigmas()[0], 0.01);
        assertEquals(999, euler.timesteps()[0]);
        // Zero terminal SNR needs v-prediction: at alpha_bar 0, x0 = -v stays finite.
        config.addProperty("prediction_type", "v_prediction");
        Scheduler ddim = Samplers.create("DDIM", config);
        ddim.setTimesteps(10);
        float[] x0 = run(ddim, null);
        for (float v : x0) {
            assertTrue(Float.isFinite(v));
        }
    }
}
