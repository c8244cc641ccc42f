package org.diffij.pipelines;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import org.diffij.DiffijException;
import org.diffij.engine.DiffijEngine;
import org.diffij.engine.JobContext;
import org.diffij.engine.JobHandle;
import org.diffij.engine.ProgressListener;
import org.diffij.image.Resampler;
import org.diffij.image.RgbImage;
import org.diffij.io.ModelHash;
import org.diffij.models.controlnet.ControlNetModel;
import org.diffij.noise.NoiseSource;
import org.diffij.noise.PhiloxNoise;
import org.diffij.noise.TorchCpuNoise;
import org.diffij.schedulers.Samplers;
import org.diffij.schedulers.Scheduler;

/**
 * Turns a {@link GenerationRequest} into images on the shared engine: resolves and caches the model,
 * seeds the noise, prepares init/mask/control images, runs the pipeline and returns the result with
 * the request completed by the model's hash.
 */
public final class Generator {

    private final Function<String, Path> models;
    private final Path singleFileConfig;
    private final String version;

    /**
     * @param models           resolves the request's model name to a folder or file (e.g. searching model folders)
     * @param singleFileConfig a diffusers folder giving configs and tokenizers to single-file checkpoints, or null
     * @param version          the software version recorded on results
     */
    public Generator(Function<String, Path> models, Path singleFileConfig, String version) {
        this.models = models;
        this.singleFileConfig = singleFileConfig;
        this.version = version;
    }

    /** Models named by path, as on the command line. */
    public static Function<String, Path> byPath() {
        return name -> {
            Path path = Path.of(name);
            if (!Files.exists(path)) {
                throw new DiffijException("model '" + name + "' not found: give a diffusers folder or a .safetensors "
                        + "checkpoint");
            }
            return path;
        };
    }

    public JobHandle<GenerationResult> submit(GenerationRequest request, ImageSources sources,
            ProgressListener listener) {
        Samplers.lookup(request.sampler());
        Path modelPath = models.apply(request.model());
        if (!Files.isDirectory(modelPath) && singleFileConfig == null) {
            throw new DiffijException(modelPath.getFileName() + " is a single-file checkpoint: name a diffusers folder "
                    + "of the same architecture (SD 1.x, 2.x or XL) for its configs and tokenizer (--config DIR)");
        }
        List<Path> controlPaths = new ArrayList<>();
        for (Control control : request.controls()) {
            controlPaths.add(models.apply(control.model()));
        }
        return DiffijEngine.get().queue().submit("generation", job -> generate(job, request, modelPath, controlPaths,
                sources), listener);
    }

    private GenerationResult generate(JobContext job, GenerationRequest request, Path modelPath, List<Path> controlPaths,
            ImageSources sources) {
        long start = System.nanoTime();
        job.progress(0, request.steps(), "hashing " + modelPath.getFileName());
        GenerationRequest complete = request.withModelHash(ModelHash.of(modelPath));
        job.checkCancelled();
        job.progress(0, request.steps(), "loading " + modelPath.getFileName());
        StableDiffusionModel model = job.model("stable-diffusion:" + modelPath.toAbsolutePath().normalize() + ":"
                + complete.modelHash() + ":" + job.engine().computeType(), manager -> {
                    if (Files.isDirectory(modelPath)) {
                        return StableDiffusionModel.load(modelPath, manager, job.engine().computeType());
                    }
                    return StableDiffusionModel.loadSingleFile(modelPath, singleFileConfig, manager,
                            job.engine().computeType());
                });
        List<StableDiffusionPipeline.ControlInput> controls = new ArrayList<>();
        for (int i = 0; i < request.controls().size(); i++) {
            Control control = request.controls().get(i);
            Path path = controlPaths.get(i);
            ControlNetModel net = job.model("controlnet:" + path.toAbsolutePath().normalize() + ":"
                    + job.engine().computeType(), manager -> ControlNetModel.load(path, manager,
                            job.engine().computeType()));
            controls.add(new StableDiffusionPipeline.ControlInput(net, fit(sources.image(control.image()), request),
                    (float) control.scale(), control.start(), control.end()));
        }
        RgbImage init = request.isImageToImage() ? fit(sources.image(request.initImage()), request) : null;
        float[] mask = request.mask().isEmpty() ? null : luminance(fit(sources.image(request.mask()), request));
        Scheduler scheduler = Samplers.create(request.sampler(), model.schedulerConfig());
        NoiseSource noise = request.noise().equals("gpu") ? new PhiloxNoise(request.seed())
                : new TorchCpuNoise(request.seed());
        List<String> prompts = Collections.nCopies(request.batchSize(), request.prompt());
        List<String> negatives = Collections.nCopies(request.batchSize(), request.negativePrompt());
        StableDiffusionPipeline.Inputs inputs = new StableDiffusionPipeline.Inputs(prompts, negatives, request.width(),
                request.height(), request.steps(), request.cfgScale(), scheduler, noise, request.clipSkip() - 1, null,
                init, mask, request.strength(), controls, null);
        StableDiffusionPipeline.Output output = StableDiffusionPipeline.run(job, model, inputs, null);
        return new GenerationResult(complete, output.images(), (System.nanoTime() - start) / 1e9, version);
    }

    /** The image at the generation size: resized with Pillow's Lanczos filter when it differs. */
    private static RgbImage fit(RgbImage image, GenerationRequest request) {
        if (image.width() == request.width() && image.height() == request.height()) {
            return image;
        }
        int[] packed = image.toPackedRgb();
        int[] channels = new int[3 * packed.length];
        for (int i = 0; i < packed.length; i++) {
            channels[3 * i] = (packed[i] >> 16) & 0xff;
            channels[3 * i + 1] = (packed[i] >> 8) & 0xff;
            channels[3 * i + 2] = packed[i] & 0xff;
        }
        int[] resized = Resampler.resize8(channels, image.width(), image.height(), 3, request.width(),
                request.height(), Resampler.Filter.LANCZOS);
        float[] rgb = new float[resized.length];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = resized[i] / 255f;
        }
        return new RgbImage(request.width(), request.height(), rgb);
    }

    private static float[] luminance(RgbImage image) {
        float[] rgb = image.rgb();
        float[] out = new float[rgb.length / 3];
        for (int i = 0; i < out.length; i++) {
            out[i] = 0.299f * rgb[3 * i] + 0.587f * rgb[3 * i + 1] + 0.114f * rgb[3 * i + 2];
        }
        return out;
    }
}
