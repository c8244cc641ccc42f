package org.diffij.pipelines;

import ai.djl.ndarray.types.DataType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.diffij.DiffijException;
import org.diffij.engine.DiffijEngine;
import org.diffij.engine.JobContext;
import org.diffij.engine.JobHandle;
import org.diffij.engine.ProgressListener;
import org.diffij.hub.HubSettings;
import org.diffij.hub.ModelLocator;
import org.diffij.hub.SingleFileConfigs;
import org.diffij.image.RgbImage;
import org.diffij.io.FileKinds;
import org.diffij.io.Json;
import org.diffij.io.ModelHash;
import org.diffij.models.controlnet.ControlNetModel;
import org.diffij.models.clip.ClipVisionModelWithProjection;
import org.diffij.models.ipadapter.ImagePrompt;
import org.diffij.models.ipadapter.IpAdapter;
import org.diffij.models.vae.AutoencoderKL;
import org.diffij.models.vae.AutoencoderKLConfig;
import org.diffij.noise.NoiseSource;
import org.diffij.noise.PerImageNoise;
import org.diffij.noise.RandomSource;
import org.diffij.schedulers.Samplers;
import org.diffij.schedulers.Scheduler;
import org.diffij.text.prompt.A1111Prompt;

/**
 * Turns a {@link GenerationRequest} into images on the shared engine: finds its files and reads its
 * images when it is submitted, then, in the job, loads (or reuses) the model, seeds the noise, runs the pipeline and returns the result with
 * the request completed by the model's hash.
 */
public final class Generator {

    private final Function<String, Path> models;
    private final Path singleFileConfig;
    private final HubSettings hub;
    private final String version;
    private final Supplier<MemorySettings> memory;
    private final List<Path> embeddingFolders;

    /**
     * @param models           resolves the request's model name to a folder or file (e.g. searching model folders)
     * @param singleFileConfig a diffusers folder giving configs and tokenizers to single-file checkpoints, or null
     *                         for the hub repo of the checkpoint's architecture in the environment's hub cache
     * @param version          the software version recorded on results
     */
    public Generator(Function<String, Path> models, Path singleFileConfig, String version) {
        this(models, singleFileConfig, HubSettings.fromEnvironment(), version);
    }

    /**
     * As {@link #Generator(Function, Path, String)}, with single-file checkpoints' configs (when
     * {@code singleFileConfig} is null) from the cache of these hub settings ({@link SingleFileConfigs}).
     */
    public Generator(Function<String, Path> models, Path singleFileConfig, HubSettings hub, String version) {
        this(models, singleFileConfig, hub, version, MemorySettings::fromEnvironment, List.of());
    }

    private Generator(Function<String, Path> models, Path singleFileConfig, HubSettings hub, String version,
            Supplier<MemorySettings> memory, List<Path> embeddingFolders) {
        this.models = models;
        this.singleFileConfig = singleFileConfig;
        this.hub = hub;
        this.version = version;
        this.memory = memory;
        this.embeddingFolders = List.copyOf(embeddingFolders);
    }

    /**
     * This generator with fixed memory settings; without, each submission reads them from the
     * system properties and environment ({@link MemorySettings#fromEnvironment()}).
     */
    public Generator withMemory(MemorySettings settings) {
        return new Generator(models, singleFileConfig, hub, version, () -> settings, embeddingFolders);
    }

    /**
     * This generator calling embeddings the A1111 way: an embedding file in these folders (or their
     * {@code embeddings/} subfolders) whose name is a word of the prompt or negative prompt is applied
     * ({@link PromptEmbeddings}), and the result's notes say which.
     */
    public Generator withEmbeddingFolders(List<Path> folders) {
        return new Generator(models, singleFileConfig, hub, version, memory, folders);
    }

    /** The side of the square images every front end defaults to when the model does not say (A1111's). */
    public static final int DEFAULT_SIDE = 512;

    /**
     * The side of the images the model was trained for, which diffusers defaults to: for a diffusers
     * folder its UNet's {@code sample_size} times the VAE's downscaling (512 for SD 1.x, 768 for
     * SD 2.x-v, 1024 for SDXL, 64 for the demo model); {@value #DEFAULT_SIDE} for anything else.
     */
    public int nativeSide(String model) {
        Path folder = models.apply(model);
        Path unet = folder.resolve("unet/config.json");
        Path vae = folder.resolve("vae/config.json");
        if (!Files.isDirectory(folder) || !Files.isRegularFile(unet) || !Files.isRegularFile(vae)) {
            return DEFAULT_SIDE;
        }
        var sampleSize = Json.readObject(unet).get("sample_size");
        if (sampleSize == null || !sampleSize.isJsonPrimitive() || !sampleSize.getAsJsonPrimitive().isNumber()) {
            return DEFAULT_SIDE;
        }
        long side = sampleSize.getAsLong() * AutoencoderKLConfig.from(Json.readObject(vae),
                folder.resolve("vae").toString()).downscale();
        return side >= 8 && side <= GenerationRequest.MAX_SIDE ? (int) side : DEFAULT_SIDE;
    }

    /** Models named by path or hub repo id, as on the command line. */
    public static Function<String, Path> byPath() {
        return inFolders(List.of());
    }

    /**
     * Models, LoRAs, embeddings and ControlNets named by path, by name inside one of the folders
     * ({@code name}, then {@code name.safetensors}, then its torch-pickle twins {@code .pt}, {@code .ckpt},
     * {@code .bin}, {@code .pth}), as prompts name LoRAs: {@code <lora:add_detail:0.8>}, or by hub repo id
     * {@code org/name[@revision][:path]} in the hub cache that the environment names.
     */
    public static Function<String, Path> inFolders(List<Path> folders) {
        return inFolders(folders, HubSettings.fromEnvironment());
    }

    /** As {@link #inFolders(List)}, with the hub cache of these settings. */
    public static Function<String, Path> inFolders(List<Path> folders, HubSettings hub) {
        return ModelLocator.of(folders, hub);
    }

    public JobHandle<GenerationResult> submit(GenerationRequest request, ImageSources sources,
            ProgressListener listener) {
        return submit(request, sources, listener, null);
    }

    /**
     * What a request needs besides the engine, gathered when it is submitted: its files found, its
     * prompt parsed, its images read (at the generation size), so that a queued job computes what
     * the caller saw when submitting, whatever happens to files and windows while it waits.
     */
    private record Submitted(GenerationRequest request, Path modelPath, Path config, A1111Prompt prompt,
            A1111Prompt negative,
            List<AdapterFile> adapters, List<Path> controlNets, List<RgbImage> controlImages, RgbImage init,
            float[] mask, InpaintComposite composite, Path ipAdapter, RgbImage ipImage, Path vae,
            MemorySettings memory, List<String> notes) {
    }

    /**
     * As {@link #submit(GenerationRequest, ImageSources, ProgressListener)}, with a latent preview
     * after each step. Bad requests (unknown sampler, missing files or images) fail here, on the
     * caller's thread; the images are read here too.
     */
    public JobHandle<GenerationResult> submit(GenerationRequest request, ImageSources sources,
            ProgressListener listener, PreviewListener previews) {
        Submitted submitted = prepare(request, sources);
        return DiffijEngine.get().queue().submit("generation", job -> generate(job, submitted, previews), listener);
    }

    /**
     * Generates inside a job that is already running, on a model that job holds (a training run's
     * validation images, from the model being trained); nothing is queued or loaded.
     */
    public GenerationResult generateWithin(JobContext job, StableDiffusionModel model, GenerationRequest request,
            ImageSources sources) {
        Submitted submitted = prepare(request, sources);
        GenerationRequest complete = hashed(submitted);
        return render(job, withSeparateVae(job, model, submitted.vae(), complete.vaeHash()), complete, submitted, null,
                System.nanoTime());
    }

    private Submitted prepare(GenerationRequest request, ImageSources sources) {
        Samplers.lookup(request.sampler());
        Path modelPath = models.apply(request.model());
        if (!Files.isDirectory(modelPath)) {
            requireCheckpoint(modelPath);
        }
        Path config = Files.isDirectory(modelPath) ? null : singleFileConfig != null ? singleFileConfig
                : SingleFileConfigs.configFolder(modelPath, hub);
        A1111Prompt prompt = A1111Prompt.parse(request.prompt(), request.steps());
        A1111Prompt negative = A1111Prompt.parse("the negative prompt", request.negativePrompt(), request.steps());
        List<Adapter> asked = new ArrayList<>();
        prompt.extraNetworks().forEach(tag -> asked.add(Adapter.of(tag)));
        asked.addAll(request.adapters());
        List<AdapterFile> adapters = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (Adapter adapter : asked) {
            AdapterFile file = new AdapterFile(adapter, models.apply(adapter.name()));
            adapters.add(file);
            if (adapter.kind() == Adapter.Kind.EMBEDDING) {
                notes.add("embedding '" + file.token() + "' applied from " + file.file());
            }
        }
        PromptEmbeddings.namedIn(List.of(request.prompt(), request.negativePrompt()), embeddingFolders)
                .forEach((token, file) -> {
                    boolean given = adapters.stream().anyMatch(a -> a.adapter().kind() == Adapter.Kind.EMBEDDING
                            && a.token().equalsIgnoreCase(token));
                    if (!given) {
                        adapters.add(new AdapterFile(new Adapter(Adapter.Kind.EMBEDDING, file.toString(), 1), file));
                        notes.add("embedding '" + token + "' named in the prompt, applied from " + file);
                    }
                });
        List<Path> controlNets = new ArrayList<>();
        List<RgbImage> controlImages = new ArrayList<>();
        for (Control control : request.controls()) {
            controlNets.add(models.apply(control.model()));
            controlImages.add(fit(sources.image(control.image()), request));
        }
        RgbImage init = null;
        float[] mask = null;
        InpaintComposite composite = null;
        if (request.isImageToImage()) {
            RgbImage source = sources.image(request.initImage());
            init = fit(source, request);
            if (!request.mask().isEmpty()) {
                RgbImage maskImage = sources.image(request.mask());
                if (maskImage.width() != source.width() || maskImage.height() != source.height()) {
                    throw new DiffijException("the mask '" + request.mask() + "' is " + maskImage.width() + "x"
                            + maskImage.height() + " but the image '" + request.initImage() + "' is " + source.width()
                            + "x" + source.height() + ": give a mask of the image's size");
                }
                if (request.isOnlyMasked()) {
                    float[] sourceMask = maskImage.luminance();
                    InpaintComposite.Crop crop = InpaintComposite.Crop.around(sourceMask, source.width(),
                            source.height(), request.onlyMaskedPadding(), request.width(), request.height());
                    init = fit(source.crop(crop.x(), crop.y(), crop.width(), crop.height()), request);
                    mask = fit(maskImage.crop(crop.x(), crop.y(), crop.width(), crop.height()), request).luminance();
                    composite = new InpaintComposite(source, sourceMask, crop);
                } else {
                    mask = fit(maskImage, request).luminance();
                    composite = new InpaintComposite(init, mask, null);
                }
            }
        }
        Path ipAdapter = null;
        RgbImage ipImage = null;
        if (request.imagePrompt() != null) {
            ipAdapter = models.apply(request.imagePrompt().adapter());
            // A missing image_encoder/ is a bad request: it fails here, before the job hashes and loads the model.
            IpAdapter.imageEncoderFolder(ipAdapter);
            ipImage = sources.image(request.imagePrompt().image());
        }
        // A VAE that is not one fails here, before the job hashes and loads the model.
        Path vae = request.vae().isEmpty() ? null : SeparateVae.weightsOf(models.apply(request.vae()));
        return new Submitted(request, modelPath, config, prompt, negative, adapters, controlNets, controlImages, init,
                mask, composite, ipAdapter, ipImage, vae, memory.get(), notes);
    }

    /**
     * Refuses a file that is not a single-file checkpoint, saying what it is instead and how that kind
     * is used, before anything is loaded (what {@code diffij inspect} says of it).
     */
    private static void requireCheckpoint(Path file) {
        String kind = FileKinds.of(file);
        String name = file.getFileName().toString();
        String stem = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
        String use;
        if (kind.startsWith("single-file checkpoint")) {
            return;
        } else if (kind.startsWith("LoRA")) {
            use = "this is a LoRA: use it with <lora:" + stem + ":1> in the prompt or in the adapters";
        } else if (kind.startsWith("textual inversion")) {
            use = "this is a textual-inversion embedding: write " + stem + " in the prompt (with the file in the model "
                    + "folders) or give it as an embedding adapter";
        } else if (kind.startsWith("hypernetwork")) {
            use = "this is a hypernetwork: use it with <hypernet:" + stem + ":1> in the prompt";
        } else if (kind.startsWith("ControlNet")) {
            use = "this is a ControlNet: give it as a control's ControlNet model (--controlnet, Generate with ControlNet)";
        } else if (kind.startsWith("IP-Adapter")) {
            use = "this is an IP-Adapter: give it as the image prompt's adapter (--ip-adapter, the ip_adapter key)";
        } else {
            use = "it holds " + kind + ", not a Stable Diffusion checkpoint (no model.diffusion_model.* weights)";
        }
        throw new DiffijException(name + " is not a model to generate with: " + use);
    }

    /**
     * Refuses a ControlNet made for another base model (SD 1.x on SDXL, ...) by its config, before its
     * weights are read and before its first step would fail inside the engine.
     */
    private static void requireSameBase(Path folder, StableDiffusionModel model) {
        String mismatch = ControlNetModel.readConfig(folder).mismatchWith(model.unet().config(),
                model.vae().config().latentChannels());
        if (mismatch != null) {
            throw new DiffijException("the ControlNet " + folder.getFileName() + " belongs to another base model: it "
                    + "has " + mismatch + "; use a ControlNet made for this model's architecture (SD 1.x, 2.x or XL)");
        }
    }

    private GenerationResult generate(JobContext job, Submitted submitted, PreviewListener previews) {
        long start = System.nanoTime();
        GenerationRequest request = submitted.request();
        Path modelPath = submitted.modelPath();
        job.progress(0, request.steps(), "hashing " + modelPath.getFileName());
        GenerationRequest complete = hashed(submitted);
        job.checkCancelled();
        job.progress(0, request.steps(), "loading " + modelPath.getFileName());
        // A single-file checkpoint is another model with other configs: they are part of the cache key.
        String config = submitted.config() == null ? "" : submitted.config().toAbsolutePath().normalize() + ":";
        StableDiffusionModel model = job.model("stable-diffusion:" + modelPath.toAbsolutePath().normalize() + ":"
                + config + complete.modelHash() + ":" + job.engine().computeType(), manager -> {
                    if (Files.isDirectory(modelPath)) {
                        return StableDiffusionModel.load(modelPath, manager, job.engine().computeType());
                    }
                    return StableDiffusionModel.loadSingleFile(modelPath, submitted.config(), manager,
                            job.engine().computeType());
                });
        return render(job, withSeparateVae(job, model, submitted.vae(), complete.vaeHash()), complete, submitted,
                previews, start);
    }

    /**
     * The model with the request's separate VAE in place of its own, the VAE cached on its own (a
     * single file takes the model's VAE architecture, so that is part of its key); the model as it is
     * without one.
     */
    private static StableDiffusionModel withSeparateVae(JobContext job, StableDiffusionModel model, Path vae,
            String hash) {
        if (vae == null) {
            return model;
        }
        DataType type = job.engine().computeType();
        String architecture = Files.isDirectory(vae) ? "" : model.configFolder().toAbsolutePath().normalize() + ":";
        job.progress(0, 0, "loading " + vae.getFileName());
        AutoencoderKL loaded = job.model("vae:" + vae.toAbsolutePath().normalize() + ":" + architecture + hash + ":"
                + type, manager -> SeparateVae.load(vae, model.vae().config(), manager, type));
        return model.withVae(loaded);
    }

    /**
     * The request with what identifies its files in provenance: the model's hash, by the name the
     * prompt or adapter list gave each LoRA's (A1111's {@code Lora hashes}), by its token each
     * embedding's the prompts called or the adapter list named (A1111's {@code TI hashes}: the whole
     * file's SHA-256), and a separate VAE's.
     */
    private static GenerationRequest hashed(Submitted submitted) {
        Map<String, String> loras = new LinkedHashMap<>();
        Map<String, String> embeddings = new LinkedHashMap<>();
        for (AdapterFile adapter : submitted.adapters()) {
            if (adapter.adapter().kind() == Adapter.Kind.LORA) {
                loras.computeIfAbsent(adapter.adapter().name(), name -> ModelHash.ofLora(adapter.file()));
            } else if (adapter.adapter().kind() == Adapter.Kind.EMBEDDING) {
                embeddings.computeIfAbsent(adapter.token(), token -> ModelHash.of(adapter.file()));
            }
        }
        GenerationRequest hashed = submitted.request().withModelHash(ModelHash.of(submitted.modelPath()))
                .withLoraHashes(loras).withEmbeddingHashes(embeddings);
        return submitted.vae() == null ? hashed : hashed.withVaeHash(ModelHash.of(submitted.vae()));
    }

    private GenerationResult render(JobContext job, StableDiffusionModel model, GenerationRequest complete,
            Submitted submitted, PreviewListener previews, long start) {
        GenerationRequest request = submitted.request();
        List<StableDiffusionPipeline.ControlInput> controls = new ArrayList<>();
        for (int i = 0; i < request.controls().size(); i++) {
            Control control = request.controls().get(i);
            requireSameBase(submitted.controlNets().get(i), model);
            ControlNetModel net = ControlNetModel.cached(job, submitted.controlNets().get(i));
            controls.add(new StableDiffusionPipeline.ControlInput(net, submitted.controlImages().get(i),
                    (float) control.scale(), control.start(), control.end()));
        }
        Path ipAdapter = submitted.ipAdapter();
        ImagePrompt imagePrompt = ipAdapter == null ? null : new ImagePrompt(IpAdapter.cached(job, ipAdapter),
                ClipVisionModelWithProjection.cached(job, IpAdapter.imageEncoderFolder(ipAdapter)),
                submitted.ipImage(), (float) request.imagePrompt().scale());
        Scheduler scheduler = Samplers.create(request.sampler(), model.schedulerConfig());
        NoiseSource noise = noise(request);
        List<A1111Prompt> prompts = Collections.nCopies(request.batchSize(), submitted.prompt());
        List<A1111Prompt> negatives = Collections.nCopies(request.batchSize(), submitted.negative());
        StableDiffusionPipeline.Inputs inputs = new StableDiffusionPipeline.Inputs(prompts, negatives, request.width(),
                request.height(), request.steps(), request.cfgScale(), scheduler, noise, request.clipSkip() - 1, null,
                submitted.init(), submitted.mask(), request.strength(), controls,
                Adapters.prepare(job.manager(), job.engine().computeType(), model, submitted.adapters()), imagePrompt);
        LatentPreview preview = LatentPreview.of(model);
        StableDiffusionPipeline.Output output = StableDiffusionPipeline.run(job, model, inputs, submitted.memory(),
                previews == null ? null
                        : (done, total, latents) -> previews.preview(done, total, preview.preview(latents, 0)));
        List<RgbImage> images = output.images();
        if (submitted.composite() != null) {
            images = images.stream().map(submitted.composite()::apply).toList();
        }
        if (request.batchPosition() != GenerationRequest.ALL_IMAGES) {
            images = List.of(images.get(request.batchPosition() - 1));
        }
        return new GenerationResult(complete, images, (System.nanoTime() - start) / 1e9, version, submitted.notes());
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
        return image.resized(request.width(), request.height());
    }
}
