package org.diffij.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.diffij.engine.DiffijEngine;
import org.diffij.models.Sd15Configs;
import org.diffij.models.unet.UNet2DConditionModel;
import org.diffij.models.vae.AutoencoderKL;
import org.diffij.nn.Kernels;
import org.diffij.nn.ParameterLoader;
import org.diffij.noise.TorchCpuNoise;
import org.diffij.pipelines.Adapters;
import org.diffij.pipelines.MemoryPlan;
import org.diffij.pipelines.MemorySettings;
import org.diffij.pipelines.StableDiffusionModel;
import org.diffij.pipelines.StableDiffusionPipeline;
import org.diffij.schedulers.Samplers;
import org.diffij.models.clip.ClipTextConfig;
import org.diffij.models.clip.ClipTextModel;
import org.diffij.text.ClipTokenizer;

/**
 * A whole SD1.5 text-to-image generation at full size with random weights made in Java (text
 * encoder, UNet and VAE at their real configs; the CLIP vocabulary of the tokenizer benchmark):
 * 512×512, 20 steps of Euler a, guidance 7 (UNet batch 2), decoding included. Prints the time per
 * denoising step (the first one includes encoding the prompts, hence the median), the whole
 * generation and the peak RSS; the memory plan it ran under is printed first.
 */
public final class GenerateBenchmark implements Benchmark {

    private static final int SIZE = 512;
    private static final int STEPS = 20;
    private static final String SAMPLER = "Euler a";
    /** runwayml/stable-diffusion-v1-5's scheduler_config.json. */
    private static final String SCHEDULER = """
            {"_class_name": "PNDMScheduler", "beta_start": 0.00085, "beta_end": 0.012, "beta_schedule": "scaled_linear",
             "num_train_timesteps": 1000, "set_alpha_to_one": false, "skip_prk_steps": true, "steps_offset": 1,
             "clip_sample": false, "prediction_type": "epsilon", "trained_betas": null}
            """;

    @Override
    public String name() {
        return "generate";
    }

    @Override
    public String description() {
        return "SD1.5 txt2img (random weights), 512x512, 20 steps Euler a, CFG 7, VAE decode included";
    }

    @Override
    public void run(BenchOptions options, PrintStream out) throws Exception {
        DiffijEngine engine = DiffijEngine.get();
        out.println(engine.describe() + "; kernels " + Kernels.get().name());
        ClipTokenizer tokenizer = ClipTokenizer.load(TokenizerBenchmark.tokenizerFolder());
        JsonObject schedulerConfig = JsonParser.parseString(SCHEDULER).getAsJsonObject();
        MemorySettings memory = MemorySettings.fromEnvironment();
        out.println("memory plan: " + MemoryPlan.of(memory, Sd15Configs.vae(), 1, SIZE, SIZE).describe());
        engine.queue().run("generate benchmark", ctx -> {
            long t0 = System.nanoTime();
            ClipTextConfig textConfig = ClipTextConfig.sd15();
            ClipTextModel text = ClipTextModel.load(textConfig, new RandomClipWeights(textConfig, 1234),
                    ctx.manager(), engine.computeType());
            UNet2DConditionModel unet = new UNet2DConditionModel(Sd15Configs.unet(),
                    ParameterLoader.random(ctx.manager(), engine.computeType(), "SD1.5 UNet"));
            AutoencoderKL vae = new AutoencoderKL(Sd15Configs.vae(),
                    ParameterLoader.random(ctx.manager(), engine.computeType(), "SD1.5 VAE"));
            StableDiffusionModel model = StableDiffusionModel.of(Path.of("random-sd15"), tokenizer, text, unet, vae,
                    schedulerConfig);
            out.println(Benchmarks.line("build SD1.5 with random weights (in Java)",
                    new double[] {(System.nanoTime() - t0) / 1e9}));
            List<Double> stepSeconds = new ArrayList<>();
            double[] totals = Benchmarks.time(options, () -> {
                stepSeconds.clear();
                long[] last = {System.nanoTime()};
                StableDiffusionPipeline.Inputs inputs = new StableDiffusionPipeline.Inputs(
                        StableDiffusionPipeline.parse(
                                List.of("a photo of an astronaut riding a horse on mars, detailed, 8k"), STEPS),
                        StableDiffusionPipeline.parse(List.of("blurry"), STEPS), SIZE, SIZE, STEPS, 7, Samplers.create(SAMPLER, schedulerConfig), new TorchCpuNoise(42), 0,
                        null, null, null, 1.0, List.of(), Adapters.none(), null);
                return StableDiffusionPipeline.run(ctx, model, inputs, memory, (done, total, latents) -> {
                    long now = System.nanoTime();
                    stepSeconds.add((now - last[0]) / 1e9);
                    last[0] = now;
                });
            });
            double[] steps = stepSeconds.stream().mapToDouble(Double::doubleValue).toArray();
            Arrays.sort(steps);
            out.println(Benchmarks.line(String.format(Locale.ROOT, "denoising step (last run, %d steps)", STEPS),
                    steps));
            out.println(Benchmarks.line(String.format(Locale.ROOT, "generation %dx%d, %d steps", SIZE, SIZE, STEPS),
                    totals));
            return null;
        });
    }
}
