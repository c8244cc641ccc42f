package org.diffij.demo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.diffij.DiffijException;
import org.diffij.demo.ShapesWorld.Content;
import org.diffij.demo.ShapesWorld.Scene;
import org.diffij.engine.DiffijEngine;
import org.diffij.image.RgbImage;
import org.diffij.hub.BuiltInModels;
import org.diffij.io.AtomicFiles;
import org.diffij.io.DType;
import org.diffij.io.HalfFloats;
import org.diffij.io.HostTensor;
import org.diffij.io.SafetensorsFile;
import org.diffij.io.SafetensorsWriter;
import org.diffij.io.TensorInfo;
import org.diffij.io.Json;
import org.diffij.models.clip.ClipTextConfig;
import org.diffij.models.clip.ClipTextModel;
import org.diffij.models.unet.UNet2DConditionConfig;
import org.diffij.models.unet.UNet2DConditionModel;
import org.diffij.models.vae.AutoencoderKL;
import org.diffij.models.vae.AutoencoderKLConfig;
import org.diffij.models.vae.LatentDistribution;
import org.diffij.nn.ParameterLoader;
import org.diffij.nn.ScalarOps;
import org.diffij.pipelines.Generator;
import org.diffij.training.AdamW;
import org.diffij.training.LrSchedule;
import org.diffij.training.OptimizerStep;
import org.diffij.training.Trainer;
import org.diffij.training.TrainingCheckpoint;
import org.diffij.training.TrainingRequest;

/**
 * Trains the demo model from nothing on the shapes world, in two phases as Stable Diffusion was:
 * the VAE first (reconstruction MSE plus a small KL term, AdamW), its latent scaling factor then
 * measured as 1 / std of the data's latents; then the UNet by Diffij's own trainer as a DreamBooth
 * full fine-tune of a randomly initialised UNet on a written shapes data set. The text encoder keeps
 * its seeded random initialisation: a frozen random CLIP still gives every caption its own
 * conditioning, which is all the UNet needs here. Everything follows from the seed.
 */
public final class DemoTraining {

    /** The knobs of a run; {@link #DEFAULTS} is the shipped model's run. */
    public record Settings(long seed, int images, int vaeSteps, int vaeBatch, double vaeLr, double klWeight,
            int unetSteps, int unetBatch, double unetLr) {

        public static final Settings DEFAULTS = new Settings(0, 2400, 1500, 8, 1e-3, 1e-3, 6000, 16, 1e-3);

        public Settings {
            if (images < 1 || vaeSteps < 0 || vaeBatch < 1 || unetSteps < 1 || unetBatch < 1 || !(vaeLr > 0)
                    || !(unetLr > 0) || !(klWeight >= 0)) {
                throw new DiffijException("demo training needs at least one image and UNet step, positive batches "
                        + "and learning rates");
            }
        }
    }

    /** Scenes drawn with another seed than the training set's to read the VAE's reconstructions. */
    private static final int HELD_OUT = 256;
    /**
     * The share of UNet samples trained with the empty caption, so the model also learns the
     * unconditional prediction that classifier-free guidance subtracts.
     */
    private static final double CAPTION_DROPOUT = 0.1;
    /** Min-SNR-γ loss weighting (Hang et al. 2023), which converges faster than plain ε-MSE. */
    private static final double MIN_SNR_GAMMA = 5;

    private DemoTraining() {
    }

    /**
     * Writes a trained demo model as the diffusers folder {@code out} (refused when it exists); the
     * base folder and data set it trains from are written beside it and removed at the end.
     */
    public static Path train(Path out, Settings settings, String version, Consumer<String> log) {
        if (Files.exists(out)) {
            throw new DiffijException(out + " already exists: name a new folder for the demo model");
        }
        Path work = out.toAbsolutePath().resolveSibling("." + out.getFileName() + ".training");
        if (Files.exists(work)) {
            deleteTree(work);
        }
        Path base = work.resolve("base");
        Path data = work.resolve("data");
        long started = System.nanoTime();
        List<Scene> scenes = ShapesWorld.scenes(Content.world(), settings.images(), settings.seed());
        ShapesDataset.write(data, scenes);
        DemoModel.writeConfigs(base, 1.0);
        double scaling = DiffijEngine.get().queue().run("demo model: VAE", job -> {
            NDManager m = job.manager();
            DiffijEngine engine = job.engine();
            engine.seed(settings.seed());
            ClipTextModel text = new ClipTextModel(ClipTextConfig.read(base.resolve("text_encoder/config.json")),
                    ParameterLoader.random(m, DataType.FLOAT32, "demo text encoder"));
            text.parameters().write(base.resolve("text_encoder/model.safetensors"), Map.of());
            UNet2DConditionModel unet = new UNet2DConditionModel(UNet2DConditionConfig.from(Json.readObject(
                    base.resolve("unet/config.json"))), ParameterLoader.random(m, DataType.FLOAT32, "demo UNet"));
            unet.parameters().write(base.resolve("unet/diffusion_pytorch_model.safetensors"), Map.of());
            AutoencoderKL vae = new AutoencoderKL(AutoencoderKLConfig.from(Json.readObject(
                    base.resolve("vae/config.json"))), ParameterLoader.random(m, DataType.FLOAT32, "demo VAE"));
            trainVae(m, engine, vae, scenes, settings, log);
            log.accept(String.format(Locale.ROOT, "VAE reconstructions of %d unseen scenes read right: %.1f %%",
                    HELD_OUT, 100 * reconstructionsRight(m, vae, settings.seed())));
            double factor = 1 / latentStd(m, vae, scenes);
            vae.parameters().write(base.resolve("vae/diffusion_pytorch_model.safetensors"), Map.of());
            return factor;
        });
        DemoModel.writeVaeConfig(base, scaling);
        log.accept(String.format(Locale.ROOT, "VAE trained in %.0f s; latent scaling factor %.5f",
                (System.nanoTime() - started) / 1e9, scaling));
        TrainingRequest request = TrainingRequest.fromMacroOptions(String.format(Locale.ROOT,
                "method=dreambooth model=[%s] data=[%s] output=[%s] formats=diffusers prior_mode=off steps=%d "
                        + "batch=%d lr=%s lr_schedule=cosine warmup_steps=%d max_grad_norm=1 resolution=%d seed=%d "
                        + "weight_decay=0 checkpoint_every=0 caption_dropout=%s flip=true min_snr_gamma=%s", base, data,
                out, settings.unetSteps(),
                settings.unetBatch(), settings.unetLr(), Math.min(200, settings.unetSteps() / 10), ShapesWorld.SIZE,
                settings.seed(), CAPTION_DROPOUT, MIN_SNR_GAMMA));
        long unetStarted = System.nanoTime();
        Trainer.Result result = new Trainer(Generator.byPath(), null, version).submit(request, null, false,
                (done, total, message) -> {
                    if (done % 200 == 0 || done == total) {
                        log.accept(message);
                    }
                }, null).await();
        if (!result.finished()) {
            throw new DiffijException("the demo model's UNet training stopped at step " + result.steps()
                    + "; run the command again");
        }
        log.accept(String.format(Locale.ROOT, "UNet trained in %.0f s (mean loss %.4f); the whole run took %.0f s",
                (System.nanoTime() - unetStarted) / 1e9, result.meanLoss(), (System.nanoTime() - started) / 1e9));
        storeForShipping(out);
        deleteTree(work);
        return out;
    }

    private static void trainVae(NDManager m, DiffijEngine engine, AutoencoderKL vae, List<Scene> scenes,
            Settings settings, Consumer<String> log) {
        vae.parameters().setTrainable("*", true);
        Map<String, NDArray> trained = vae.parameters().trainable();
        OptimizerStep step = new OptimizerStep(new AdamW(m, new AdamW.Settings(0.9, 0.999, 1e-8, 0)), 1);
        LrSchedule schedule = LrSchedule.parse("cosine", settings.vaeLr(), Math.min(100, settings.vaeSteps() / 10),
                settings.vaeSteps(), 1, 1);
        Random order = new Random(settings.seed());
        double recent = 0;
        long started = System.nanoTime();
        for (int s = 0; s < settings.vaeSteps(); s++) {
            engine.seed(TrainingCheckpoint.stepSeed(settings.seed(), s));
            try (NDManager b = m.newSubManager()) {
                List<Scene> batch = new ArrayList<>();
                for (int i = 0; i < settings.vaeBatch(); i++) {
                    batch.add(scenes.get(order.nextInt(scenes.size())));
                }
                NDArray images = images(b, batch);
                NDArray noise = b.randomNormal(new Shape(batch.size(), 4, ShapesWorld.SIZE / 8, ShapesWorld.SIZE / 8));
                OptimizerStep.Report report = step.step(trained, () -> vaeLoss(vae, images, noise,
                        settings.klWeight()), 1, schedule.lr(settings.vaeLr(), s), null);
                recent = s == 0 ? report.loss() : 0.98 * recent + 0.02 * report.loss();
                if ((s + 1) % 100 == 0 || s + 1 == settings.vaeSteps()) {
                    log.accept(String.format(Locale.ROOT, "VAE step %d/%d: loss %.5f (smoothed %.5f), %.2f s/step",
                            s + 1, settings.vaeSteps(), report.loss(), recent,
                            (System.nanoTime() - started) / 1e9 / (s + 1)));
                }
            }
        }
        vae.parameters().setTrainable("*", false);
    }

    /** Reconstruction MSE of a sampled latent plus {@code klWeight} × the mean KL to N(0, 1) per value. */
    static NDArray vaeLoss(AutoencoderKL vae, NDArray images, NDArray noise, double klWeight) {
        LatentDistribution latent = vae.encode(images);
        NDArray reconstruction = vae.decode(latent.sample(noise)).sub(images).square().mean();
        NDArray kl = ScalarOps.mul(latent.mean().square().add(latent.logvar().exp()).sub(1).sub(latent.logvar())
                .mean(), 0.5);
        return reconstruction.add(ScalarOps.mul(kl, klWeight));
    }

    /** The share of held-out scenes whose reconstruction (the latent mean decoded) reads as the scene. */
    private static double reconstructionsRight(NDManager m, AutoencoderKL vae, long seed) {
        List<Scene> scenes = ShapesWorld.scenes(Content.world(), HELD_OUT, ~seed);
        int side = ShapesWorld.SIZE;
        int right = 0;
        for (int from = 0; from < scenes.size(); from += 32) {
            try (NDManager b = m.newSubManager()) {
                List<Scene> batch = scenes.subList(from, Math.min(scenes.size(), from + 32));
                // Channels last: each image's values are then RgbImage's interleaved R, G, B per pixel.
                float[] values = vae.decode(vae.encode(images(b, batch)).mean()).clip(-1, 1).add(1).div(2)
                        .transpose(0, 2, 3, 1).toFloatArray();
                int size = 3 * side * side;
                for (int i = 0; i < batch.size(); i++) {
                    RgbImage image = new RgbImage(side, side, Arrays.copyOfRange(values, i * size, (i + 1) * size));
                    right += ShapesEvaluator.read(image).matches(batch.get(i).content()) ? 1 : 0;
                }
            }
        }
        return (double) right / scenes.size();
    }

    /** Stores the weights as float16 and writes the folder's SHA256SUMS index, as the jar ships them. */
    static void storeForShipping(Path model) {
        for (String component : List.of("text_encoder/model.safetensors", "vae/diffusion_pytorch_model.safetensors",
                "unet/diffusion_pytorch_model.safetensors")) {
            storeAsFloat16(model.resolve(component));
        }
        BuiltInModels.writeIndex(model);
    }

    /**
     * Rewrites a weight file with its float32 tensors as float16, which halves the model that ships
     * in the jar; every loader (diffusers, Diffij) computes in the precision it chooses, and values
     * this small model holds are far inside float16's range.
     */
    private static void storeAsFloat16(Path file) {
        try (SafetensorsFile weights = SafetensorsFile.open(file)) {
            Map<String, TensorInfo> infos = new TreeMap<>();
            for (String name : weights.names()) {
                TensorInfo info = weights.info(name);
                infos.put(name, info.dtype() != DType.F32 ? info
                        : new TensorInfo(name, DType.F16, info.shape(), 0, 2 * info.numel()));
            }
            // The file is replaced by a renamed new one, so the tensors stay readable while it is written.
            SafetensorsWriter.write(file, infos, name -> asFloat16(weights.read(name)), weights.metadata());
        }
    }

    private static HostTensor asFloat16(HostTensor tensor) {
        if (tensor.dtype() != DType.F32) {
            return tensor;
        }
        float[] values = tensor.toFloatArray();
        ByteBuffer half = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            half.putShort(HalfFloats.floatToF16(v));
        }
        return new HostTensor(DType.F16, tensor.shape(), half.flip());
    }

    /** The standard deviation of sampled latents over (up to 512 of) the scenes. */
    private static double latentStd(NDManager m, AutoencoderKL vae, List<Scene> scenes) {
        double sum = 0;
        double squares = 0;
        long n = 0;
        List<Scene> sample = scenes.subList(0, Math.min(512, scenes.size()));
        for (int from = 0; from < sample.size(); from += 32) {
            try (NDManager b = m.newSubManager()) {
                List<Scene> batch = sample.subList(from, Math.min(sample.size(), from + 32));
                LatentDistribution latent = vae.encode(images(b, batch));
                float[] values = latent.sample(b.randomNormal(latent.mean().getShape())).toFloatArray();
                for (float v : values) {
                    sum += v;
                    squares += (double) v * v;
                }
                n += values.length;
            }
        }
        double mean = sum / n;
        return Math.sqrt(squares / n - mean * mean);
    }

    /** Scenes as a (B, 3, 64, 64) batch in [-1, 1]. */
    private static NDArray images(NDManager m, List<Scene> scenes) {
        int side = ShapesWorld.SIZE;
        float[] values = new float[scenes.size() * 3 * side * side];
        for (int i = 0; i < scenes.size(); i++) {
            int[] pixels = scenes.get(i).pixels();
            for (int p = 0; p < pixels.length; p++) {
                for (int c = 0; c < 3; c++) {
                    values[((i * 3 + c) * side * side) + p] = ((pixels[p] >> (16 - 8 * c)) & 0xff) / 127.5f - 1;
                }
            }
        }
        return m.create(values, new Shape(scenes.size(), 3, side, side));
    }

    private static void deleteTree(Path root) {
        try {
            AtomicFiles.deleteTree(root);
        } catch (IOException e) {
            throw new DiffijException(root + ": cannot be removed (" + e.getMessage() + ")", e);
        }
    }
}
