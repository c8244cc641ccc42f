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
import org.diffij.models.ipadapter.ClipVisionModelWithProjection;
import org.diffij.models.ipadapter.ImagePrompt;
import org.diffij.models.ipadapter.IpAdapter;
import org.diffij.noise.NoiseSource;
import org.diffij.noise.PerImageNoise;
import org.diffij.noise.RandomSource;
import org.diffij.schedulers.Samplers;
import org.diffij.schedulers.Scheduler;
import org.diffij.text.prompt.A1111Prompt;
import org.diffij.text.prompt.ExtraNetworkTag;

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
        return inFolders(List.of());
    }

    /**
     * Models, LoRAs, embeddings and ControlNets named by path, or by name inside one of the folders
     * ({@code name}, then {@code name.safetensors}), as prompts name LoRAs: {@code <lora:add_detail:0.8>}.
     */
    public static Function<String, Path> inFolders(List<Path> folders) {
        return name -> {
            Path path = Path.of(name);
            if (Files.exists(path)) {
                return path;
            }
            for (Path folder : folders) {
                for (Path candidate : List.of(folder.resolve(name), folder.resolve(name + ".safetensors"))) {
                    if (Files.exists(candidate)) {
                        return candidate;
                    }
                }
            }
            throw new DiffijException("'" + name + "' not found" + (folders.isEmpty() ? ""
                    : " in " + folders) + ": give a diffusers folder or a .safetensors file");
        };
    }

    public JobHandle<GenerationResult> submit(GenerationRequest request, ImageSources sources,
            ProgressListener listener) {
        return submit(request, sources, listener, null);
    }

    /** As {@link #submit(GenerationRequest, ImageSources, ProgressListener)}, with a latent preview after each step. */
    public JobHandle<GenerationResult> submit(GenerationRequest request, ImageSources sources,
            ProgressListener listener, PreviewListener previews) {
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
        List<Adapters.Lora> loras = new ArrayList<>();
        List<Adapters.Embedding> embeddings = new ArrayList<>();
        for (ExtraNetworkTag tag : A1111Prompt.parse(request.prompt(), request.steps()).extraNetworks()) {
            if (!tag.kind().equals("lora") && !tag.kind().equals("lyco")) {
                throw new DiffijException("<" + tag.kind() + ":" + tag.name() + "> is not supported yet; Diffij applies "
                        + "<lora:name:weight> tags");
            }
            loras.add(new Adapters.Lora(models.apply(tag.name()), tag.multiplier(), tag.unetMultiplier()));
        }
        for (Adapter adapter : request.adapters()) {
            Path file = models.apply(adapter.name());
            switch (adapter.kind()) {
                case LORA -> loras.add(new Adapters.Lora(file, adapter.weight()));
                case EMBEDDING -> embeddings.add(new Adapters.Embedding(file, stem(file)));
                default -> throw new DiffijException("hypernetworks are not supported yet ('" + adapter.name() + "')");
            }
        }
        Path ipAdapterPath = request.imagePrompt() == null ? null : models.apply(request.imagePrompt().adapter());
        if (ipAdapterPath != null) {
            // A missing image_encoder/ is a bad request: it fails here, before the job hashes and loads the model.
            IpAdapter.imageEncoderFolder(ipAdapterPath);
        }
        return DiffijEngine.get().queue().submit("generation", job -> generate(job, request, modelPath, controlPaths,
                loras, embeddings, ipAdapterPath, sources, previews), listener);
    }

    private static String stem(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    private GenerationResult generate(JobContext job, GenerationRequest request, Path modelPath, List<Path> controlPaths,
            List<Adapters.Lora> loras, List<Adapters.Embedding> embeddings, Path ipAdapterPath, ImageSources sources,
            PreviewListener previews) {
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
            ControlNetModel net = ControlNetModel.cached(job, path);
            controls.add(new StableDiffusionPipeline.ControlInput(net, fit(sources.image(control.image()), request),
                    (float) control.scale(), control.start(), control.end()));
        }
        RgbImage init = request.isImageToImage() ? fit(sources.image(request.initImage()), request) : null;
        float[] mask = request.mask().isEmpty() ? null : luminance(fit(sources.image(request.mask()), request));
        ImagePrompt imagePrompt = ipAdapterPath == null ? null : new ImagePrompt(IpAdapter.cached(job, ipAdapterPath),
                ClipVisionModelWithProjection.cached(job, IpAdapter.imageEncoderFolder(ipAdapterPath)),
                sources.image(request.imagePrompt().image()), (float) request.imagePrompt().scale());
        Scheduler scheduler = Samplers.create(request.sampler(), model.schedulerConfig());
        NoiseSource noise = noise(request);
        List<String> prompts = Collections.nCopies(request.batchSize(), request.prompt());
        List<String> negatives = Collections.nCopies(request.batchSize(), request.negativePrompt());
        StableDiffusionPipeline.Inputs inputs = new StableDiffusionPipeline.Inputs(prompts, negatives, request.width(),
                request.height(), request.steps(), request.cfgScale(), scheduler, noise, request.clipSkip() - 1, null,
                init, mask, request.strength(), controls,
                Adapters.prepare(job.manager(), job.engine().computeType(), model, loras, embeddings), imagePrompt);
        LatentPreview preview = LatentPreview.of(model);
        StableDiffusionPipeline.Output output = StableDiffusionPipeline.run(job, model, inputs, previews == null ? null
                : (done, total, latents) -> previews.preview(done, total, preview.preview(latents, 0)));
        return new GenerationResult(complete, output.images(), (System.nanoTime() - start) / 1e9, version);
    }

    /**
     * The seeded noise of a request, by the convention of the tool whose seeds it reproduces: with
     * {@code cpu} one torch CPU generator draws for the whole batch (diffusers, ComfyUI); with
     * {@code gpu} each image has its own Philox generator seeded seed, seed + 1, ... (A1111), so
     * image i of a batch is the image a single run with seed + i gives.
     */
    static NoiseSource noise(GenerationRequest request) {
        RandomSource source = RandomSource.of(request.noise());
        return source == RandomSource.GPU
                ? PerImageNoise.consecutiveSeeds(source, request.seed(), request.batchSize())
                : source.seeded(request.seed());
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
