package org.diffij.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongFunction;
import org.diffij.DiffijException;
import org.diffij.engine.DiffijEngine;
import org.diffij.engine.JobContext;
import org.diffij.engine.JobHandle;
import org.diffij.engine.ProgressListener;
import org.diffij.hub.HubSettings;
import org.diffij.hub.SingleFileConfigs;
import org.diffij.image.PngFiles;
import org.diffij.io.ModelHash;
import org.diffij.nn.Autograd;
import org.diffij.pipelines.Adapter;
import org.diffij.pipelines.GenerationRequest;
import org.diffij.pipelines.GenerationResult;
import org.diffij.pipelines.Generator;
import org.diffij.pipelines.StableDiffusionModel;
import org.diffij.schedulers.NoiseSchedule;
import org.diffij.schedulers.PredictionType;
import org.diffij.text.ClipTokenizer;

/**
 * The one training loop every method shares: a {@link TrainingRequest} in, a trained file out, on the
 * engine's job queue. Per optimiser step the engine's generator is reseeded from (seed, step), the
 * next batches of the data order drawn, latents sampled from the cached VAE distributions, noise and
 * timesteps drawn from the model's DDPM training schedule, and the method's tensors updated by
 * AdamW at the scheduled rate (UNet and text-encoder groups separately). A checkpoint (every
 * {@code checkpoint_every} steps and when the run is cancelled) holds everything that state depends
 * on, so a resumed run continues exactly where an uninterrupted one would be.
 */
public final class Trainer {

    /** Steps over which the reported mean loss is taken. */
    static final int MEAN_LOSS_WINDOW = 50;

    /** What a run reports after every optimiser step. */
    public record Progress(long step, long steps, double loss, double meanLoss, double lr, double gradientNorm,
            double secondsPerStep, double etaSeconds) {

        public String line() {
            long eta = Math.round(etaSeconds);
            return String.format(Locale.ROOT, "step %d/%d  loss %.4f  mean %.4f  lr %.2e  grad norm %.3g  %.2f s/step  "
                    + "ETA %d:%02d:%02d", step, steps, loss, meanLoss, lr, gradientNorm, secondsPerStep, eta / 3600,
                    eta / 60 % 60, eta % 60);
        }
    }

    /**
     * How a run ended: {@code finished} false when it was cancelled (then {@code outputs} is empty and
     * {@code checkpoint} resumes it).
     */
    public record Result(TrainingRequest request, long steps, boolean finished, List<Path> outputs, Path checkpoint,
            List<Path> samples, double meanLoss, double seconds, String memoryEstimate) {
    }

    /** What a run needs besides the engine, gathered on the caller's thread so bad input fails at once. */
    private record Plan(TrainingRequest request, Path modelPath, Path modelConfig, TrainingData data, Path output,
            boolean overwrite, TrainingCheckpoint resume, Path resumeFile, List<String> samplePrompts) {
    }

    private final Function<String, Path> models;
    private final Path singleFileConfig;
    private final HubSettings hub;
    private final String version;

    /**
     * @param models           resolves the request's model name to a folder or file
     * @param singleFileConfig a diffusers folder giving configs and tokenizers to single-file checkpoints, or null
     *                         for the hub repo of the checkpoint's architecture in the environment's hub cache
     * @param version          the software version recorded on results
     */
    public Trainer(Function<String, Path> models, Path singleFileConfig, String version) {
        this(models, singleFileConfig, HubSettings.fromEnvironment(), version);
    }

    /**
     * As {@link #Trainer(Function, Path, String)}, with single-file checkpoints' configs (when
     * {@code singleFileConfig} is null) from the cache of these hub settings, as {@link Generator} has.
     */
    public Trainer(Function<String, Path> models, Path singleFileConfig, HubSettings hub, String version) {
        this.models = models;
        this.singleFileConfig = singleFileConfig;
        this.hub = hub;
        this.version = version;
    }

    /** Where a run keeps its resumable state: beside the output, {@code <name>-checkpoint.safetensors}. */
    public static Path checkpointPath(Path output) {
        return sibling(output, "-checkpoint", ".safetensors");
    }

    /**
     * Submits a run. Bad requests, data, resume checkpoints and an existing output (unless
     * {@code overwrite}) fail here, on the caller's thread, with one line.
     *
     * @param resume  a checkpoint of an earlier run of the same request, or null
     * @param steps   receives every step's progress (on the engine's worker), or null
     */
    public JobHandle<Result> submit(TrainingRequest request, Path resume, boolean overwrite, ProgressListener listener,
            Consumer<Progress> steps) {
        return submit(request, null, resume, overwrite, listener, steps);
    }

    /**
     * Submits a run on the given data (e.g. {@link TrainingData#fromSamples} of images in memory)
     * instead of the request's {@code data} folder, which then only names the data in the provenance;
     * null reads the folder.
     */
    public JobHandle<Result> submit(TrainingRequest request, TrainingData data, Path resume, boolean overwrite,
            ProgressListener listener, Consumer<Progress> steps) {
        Plan plan = plan(request, data, resume, overwrite);
        DreamBoothTraining.ensureClassImages(request, Files.isDirectory(plan.modelPath()) ? plan.modelPath()
                : plan.modelConfig(), new Generator(models, singleFileConfig, hub, version), listener);
        return DiffijEngine.get().queue().submit("training", job -> train(job, plan, steps), listener);
    }

    private Plan plan(TrainingRequest request, TrainingData given, Path resume, boolean overwrite) {
        request.checkComplete();
        if (request.output().isBlank()) {
            throw new DiffijException("no output given: name the file to write, e.g. output=my-lora.safetensors");
        }
        Path output = Path.of(request.output());
        List<Path> targets = request.method() == TrainingRequest.Method.DREAMBOOTH
                ? DreamBoothTraining.targets(output, request.formats()) : List.of(output);
        for (Path target : targets) {
            if (Files.exists(target) && !overwrite) {
                throw new DiffijException(target + " already exists; choose another output or allow overwriting it");
            }
        }
        if (output.getParent() != null && !Files.isDirectory(output.getParent())) {
            throw new DiffijException(output.getParent() + ": no such folder for the output");
        }
        if (request.gradientCheckpointing().equals("on") && !recomputable(request)) {
            throw new DiffijException("gradient checkpointing recomputes the forward pass, which a hypernetwork with "
                    + "dropout cannot repeat: use gradient_checkpointing=off or use_dropout=false");
        }
        Path modelPath = models.apply(request.model());
        Path modelConfig = Files.isDirectory(modelPath) ? null : singleFileConfig != null ? singleFileConfig
                : SingleFileConfigs.configFolder(modelPath, hub);
        if (given == null && request.dataOptions().normalise() != DataOptions.Normalise.DISPLAY) {
            throw new DiffijException("normalise=" + request.dataOptions().normalise().key() + " is for open images "
                    + "(Fiji's stack: and rois: data); a folder's 16/32-bit images are min-max normalised per page: "
                    + "leave normalise out");
        }
        TrainingData data = given != null ? given : TrainingData.scan(Path.of(request.data()), request.dataOptions(),
                conceptName(request), request.seed());
        TrainingCheckpoint checkpoint = null;
        if (resume != null) {
            checkpoint = TrainingCheckpoint.read(resume);
            checkpoint.requireResumableWith(request, DreamBoothTraining.dataFingerprint(request, data));
        }
        List<String> prompts = new ArrayList<>();
        if (!request.samplePrompts().isBlank()) {
            try {
                for (String line : Files.readAllLines(Path.of(request.samplePrompts()))) {
                    if (!line.isBlank() && !line.strip().startsWith("#")) {
                        SamplePrompt.parse(line, request.model(), request.seed());
                        prompts.add(line.strip());
                    }
                }
            } catch (IOException e) {
                throw new DiffijException(request.samplePrompts() + ": cannot read the sample prompts ("
                        + e.getMessage() + ")", e);
            }
        }
        return new Plan(request, modelPath, modelConfig, data, output, overwrite, checkpoint, resume,
                List.copyOf(prompts));
    }

    /** Whether the run's forward pass gives the same values when repeated, as gradient checkpointing needs. */
    private static boolean recomputable(TrainingRequest request) {
        return request.method() != TrainingRequest.Method.HYPERNETWORK || !request.hypernetwork().useDropout();
    }

    /** The template's {@code [name]}: the token for textual inversion, else the output's file name. */
    static String conceptName(TrainingRequest request) {
        if (request.method() == TrainingRequest.Method.TI) {
            return request.ti().token();
        }
        String name = Path.of(request.output().isBlank() ? "concept" : request.output()).getFileName().toString();
        return name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
    }

    /** Optimiser steps of a run: as asked, or the epochs' batches divided by the accumulation. */
    static long totalSteps(TrainingRequest request, TrainingData data) {
        if (request.steps() > 0) {
            return request.steps();
        }
        long batches = (long) data.epoch(0, request.batch()).size() * request.epochs();
        return (batches + request.gradientAccumulation() - 1) / request.gradientAccumulation();
    }

    private Result train(JobContext job, Plan plan, Consumer<Progress> listener) {
        long started = System.nanoTime();
        double startedAt = System.currentTimeMillis() / 1000.0;
        TrainingRequest request = plan.request();
        NDManager m = job.manager();
        job.progress(0, 0, "loading " + plan.modelPath().getFileName());
        StableDiffusionModel model = Files.isDirectory(plan.modelPath())
                ? StableDiffusionModel.load(plan.modelPath(), m, DataType.FLOAT32)
                : StableDiffusionModel.loadSingleFile(plan.modelPath(), plan.modelConfig(), m, DataType.FLOAT32);
        String modelHash = ModelHash.of(plan.modelPath());
        DiffijEngine engine = job.engine();
        engine.seed(request.seed());
        TrainingMethod method = createMethod(request, model, m);
        Map<String, NDArray> trained = method.trained();
        int[] largest = largestFrame(plan.data());
        TrainingMemory plain = method.memory(model, request, largest[0], largest[1]);
        boolean checkpointing = switch (request.gradientCheckpointing()) {
            case "on" -> true;
            case "off" -> false;
            default -> !plain.fits() && recomputable(request);
        };
        TrainingMemory memory = checkpointing ? plain.withGradientCheckpointing() : plain;
        memory.requireFits();
        job.progress(0, 0, memory.describe());

        NoiseSchedule schedule = method.noiseSchedule(model);
        PredictionType target = request.predictionType() != null ? request.predictionType()
                : schedule.predictionType();
        DenoisingObjective objective = new DenoisingObjective(model.unet(), model.textEncoder(), model.textEncoder2(),
                schedule, target, request.minSnrGamma()).withGradientCheckpointing(checkpointing);
        OptimizerStep stepper = new OptimizerStep(new AdamW(m, request.optimizer()), request.maxGradNorm());
        long total = totalSteps(request, plan.data());
        LrSchedule lrSchedule = LrSchedule.parse(request.lrSchedule(), request.lrUnet(), request.warmupSteps(),
                (int) total, request.lrCycles(), request.lrPower());
        double textLr = request.lrTextEncoder() > 0 ? request.lrTextEncoder() : request.lrUnet();

        DataOrder order = new DataOrder(plan.data(), request.batch());
        // Computed once the class images exist (a DreamBooth run may have generated them).
        String fingerprint = DreamBoothTraining.dataFingerprint(request, plan.data());
        long step = 0;
        if (plan.resume() != null) {
            TrainingCheckpoint c = plan.resume();
            TrainingCheckpoint.restore(plan.resumeFile(), trained, stepper.optimizer());
            step = c.step();
            order.seek(c.epoch(), c.batchInEpoch());
        }
        OutputFiles.requireNew(plannedOutputs(method, plan, step, total), plan.overwrite());
        TrainingProvenance.Family family = TrainingProvenance.Family.of(model.isXl(),
                model.textEncoder().config().hiddenSize(), target);
        LongFunction<TrainingProvenance> provenance = at -> new TrainingProvenance(request, plan.modelPath(),
                modelHash, family, target, at, total, order.epoch() + 1, plan.data(), startedAt, version,
                checkpointing);
        LatentCache latents = new LatentCache(model.vae(), m);
        List<Double> losses = new ArrayList<>(plan.resume() == null ? List.of() : plan.resume().losses());
        Path checkpoint = plan.resume() == null ? null : checkpointPath(plan.output());
        List<Path> samples = new ArrayList<>();
        long firstStep = step;
        long loopStart = System.nanoTime();
        while (step < total) {
            if (job.isCancelled()) {
                checkpoint = writeCheckpoint(m, plan, step, order, trained, stepper, fingerprint, losses);
                return new Result(request, step, false, List.of(), checkpoint, samples, runningMean(losses),
                        (System.nanoTime() - started) / 1e9, memory.describe());
            }
            engine.seed(TrainingCheckpoint.stepSeed(request.seed(), step));
            int current = (int) step;
            double loss = 0;
            OptimizerStep.Report report = null;
            try (NDManager scope = m.newSubManager()) {
                for (int micro = 0; micro < request.gradientAccumulation(); micro++) {
                    List<TrainingData.Sample> instances = order.next();
                    List<TrainingData.Sample> prior = method.priorSamples(instances,
                            step * request.gradientAccumulation() + micro);
                    List<TrainingData.Sample> rows = new ArrayList<>(instances);
                    rows.addAll(prior);
                    DenoisingObjective.Batch drawn = batch(scope, rows, latents, method, schedule, request);
                    DenoisingObjective.Batch batch = prior.isEmpty() ? drawn
                            : drawn.withPrior(method.priorPreservation(prior.size()));
                    java.util.function.Supplier<NDArray> value = () -> objective.evaluate(batch, method.trainables())
                            .loss();
                    double scale = 1.0 / request.gradientAccumulation();
                    if (micro < request.gradientAccumulation() - 1) {
                        loss += stepper.accumulate(value, scale);
                    } else {
                        report = stepper.step(trained, value, scale, name -> (method.isTextEncoder(name) ? textLr
                                : request.lrUnet()) * lrSchedule.factor(current), null);
                        loss += report.loss();
                    }
                }
            }
            loss /= request.gradientAccumulation();
            if (!Double.isFinite(loss)) {
                throw new DiffijException("the loss became " + loss + " at step " + (step + 1) + "; lower the "
                        + "learning rate (lr) or enable max_grad_norm");
            }
            step++;
            losses.add(loss);
            double perStep = (System.nanoTime() - loopStart) / 1e9 / (step - firstStep);
            Progress progress = new Progress(step, total, loss, runningMean(losses),
                    request.lrUnet() * lrSchedule.factor(current), report.gradientNorm(), perStep,
                    perStep * (total - step));
            job.progress(step, total, progress.line());
            if (listener != null) {
                listener.accept(progress);
            }
            boolean sample = samplesAt(plan, step);
            if (savesStepFile(plan, step, total)) {
                Path saved = method.save(stepOutput(plan, step), request.formats(), provenance.apply(step),
                        plan.overwrite()).get(0);
                if (sample) {
                    samples.addAll(sampleImages(job, model, plan, method, saved, step));
                }
            }
            if (request.checkpointEvery() > 0 && step % request.checkpointEvery() == 0 && step < total) {
                checkpoint = writeCheckpoint(m, plan, step, order, trained, stepper, fingerprint, losses);
            }
        }
        List<Path> outputs = method.save(plan.output(), request.formats(), provenance.apply(step),
                plan.overwrite());
        if (!plan.samplePrompts().isEmpty() && request.sampleEvery() > 0) {
            samples.addAll(sampleImages(job, model, plan, method, outputs.get(0), step));
        }
        return new Result(request, step, true, outputs, checkpoint, samples, runningMean(losses),
                (System.nanoTime() - started) / 1e9, memory.describe());
    }

    private static TrainingMethod createMethod(TrainingRequest request, StableDiffusionModel model, NDManager m) {
        return switch (request.method()) {
            case LORA -> LoraTraining.create(request, model, m);
            case TI -> TextualInversionTraining.create(request, model, m);
            case DREAMBOOTH -> DreamBoothTraining.create(request, model, m);
            case HYPERNETWORK -> HypernetworkTraining.create(request, model, m);
        };
    }

    /** One micro-batch: cached latents drawn, noise (with offset), timesteps, token ids, loss mask. */
    private static DenoisingObjective.Batch batch(NDManager scope, List<TrainingData.Sample> samples,
            LatentCache latents, TrainingMethod method, NoiseSchedule schedule, TrainingRequest request) {
        NDArray x = latents.draw(samples, scope);
        NDArray noise = scope.randomNormal(x.getShape(), DataType.FLOAT32);
        if (request.noiseOffset() > 0) {
            noise = NoiseSchedule.offsetNoise(noise, request.noiseOffset());
        }
        NDArray timesteps = scope.randomInteger(0, schedule.trainSteps(), new Shape(samples.size()), DataType.INT64);
        NDArray inputIds = tokenIds(scope, method.tokenizer(), method, samples);
        if (method.tokenizer2() == null) {
            return new DenoisingObjective.Batch(x, noise, timesteps, inputIds, lossMask(scope, samples, x));
        }
        float[] timeIds = new float[6 * samples.size()];
        for (int b = 0; b < samples.size(); b++) {
            TrainingData.Framing f = samples.get(b).item().framing();
            System.arraycopy(new float[] {f.originalHeight(), f.originalWidth(), f.top(), f.left(), f.height(),
                f.width()}, 0, timeIds, 6 * b, 6);
        }
        return new DenoisingObjective.Batch(x, noise, timesteps, inputIds, lossMask(scope, samples, x),
                tokenIds(scope, method.tokenizer2(), method, samples), scope.create(timeIds,
                        new Shape(samples.size(), 6)));
    }

    private static NDArray tokenIds(NDManager scope, ClipTokenizer tokenizer, TrainingMethod method,
            List<TrainingData.Sample> samples) {
        long[] ids = new long[samples.size() * tokenizer.maxLength()];
        for (int b = 0; b < samples.size(); b++) {
            long[] one = tokenizer.encodePadded(method.caption(samples.get(b).caption())).ids();
            System.arraycopy(one, 0, ids, b * one.length, one.length);
        }
        return scope.create(ids, new Shape(samples.size(), tokenizer.maxLength()));
    }

    /** The batch's loss masks at latent resolution (the mean of each latent pixel's image block), or null. */
    private static NDArray lossMask(NDManager scope, List<TrainingData.Sample> samples, NDArray latents) {
        if (samples.stream().allMatch(s -> !s.item().masked())) {
            return null;
        }
        long h = latents.getShape().get(2);
        long w = latents.getShape().get(3);
        NDList masks = new NDList();
        for (TrainingData.Sample sample : samples) {
            Optional<NDArray> mask = TrainingData.lossMask(scope, sample);
            if (mask.isEmpty()) {
                masks.add(scope.ones(new Shape(1, 1, h, w)));
                continue;
            }
            long factorY = mask.get().getShape().get(2) / h;
            long factorX = mask.get().getShape().get(3) / w;
            // One axis at a time: DJL's mean over several axes throws.
            masks.add(mask.get().reshape(1, 1, h, factorY, w, factorX).mean(new int[] {5}).mean(new int[] {3}));
        }
        return LatentCache.stacked(masks, scope);
    }

    private List<Path> sampleImages(JobContext job, StableDiffusionModel model, Plan plan, TrainingMethod method,
            Path adapter, long step) {
        TrainingRequest request = plan.request();
        Path folder = (plan.output().getParent() == null ? Path.of(".") : plan.output().getParent()).resolve("samples");
        String stem = stem(adapter);
        Generator generator = new Generator(name -> name.equals(request.model()) ? plan.modelPath() : Path.of(name),
                plan.modelConfig(), hub, version);
        List<Path> written = new ArrayList<>();
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new DiffijException(folder + ": cannot create the samples folder (" + e.getMessage() + ")", e);
        }
        for (int i = 0; i < plan.samplePrompts().size(); i++) {
            GenerationRequest sample = SamplePrompt.parse(plan.samplePrompts().get(i), request.model(), request.seed());
            sample = switch (request.method()) {
                case LORA -> sample.withAdapters(List.of(new Adapter(Adapter.Kind.LORA, adapter.toString(), 1)));
                // An embedding is called by its file's name: the prompt's token becomes this step's file.
                case TI -> sample.withPrompt(sample.prompt().replace(request.ti().token(), stem))
                        .withAdapters(List.of(new Adapter(Adapter.Kind.EMBEDDING, adapter.toString(), 1)));
                case HYPERNETWORK -> sample.withAdapters(List.of(new Adapter(Adapter.Kind.HYPERNET, adapter.toString(),
                        1)));
                default -> sample;
            };
            GenerationRequest asked = sample;
            // Untracked: the model's own weights may be the ones being trained (DreamBooth).
            GenerationResult result = job.scoped(scoped -> Autograd.computeUntracked(() -> generator.generateWithin(
                    scoped, model, asked, source -> PngFiles.read(Path.of(source)))));
            Path file = folder.resolve(String.format(Locale.ROOT, "%s-step%08d-%02d.png", stem(plan.output()), step, i));
            PngFiles.write(file, result.images().get(0), Map.of("parameters", result.parameters()));
            written.add(file);
        }
        return written;
    }

    private static Path writeCheckpoint(NDManager m, Plan plan, long step, DataOrder order,
            Map<String, NDArray> trained, OptimizerStep stepper, String dataFingerprint, List<Double> losses) {
        Path file = checkpointPath(plan.output());
        try (NDManager scope = m.newSubManager()) {
            new TrainingCheckpoint(plan.request(), step, order.epoch(), order.batchInEpoch(), dataFingerprint, losses)
                    .write(file, trained, stepper.optimizer().state(scope));
        }
        return file;
    }

    private static boolean samplesAt(Plan plan, long step) {
        return plan.request().sampleEvery() > 0 && step % plan.request().sampleEvery() == 0
                && !plan.samplePrompts().isEmpty();
    }

    /** Whether the run keeps a step file after {@code step}: to sample from it, or every {@code save_every}. */
    private static boolean savesStepFile(Plan plan, long step, long total) {
        int every = plan.request().saveEvery();
        return step < total && (samplesAt(plan, step) || every > 0 && step % every == 0);
    }

    private static Path stepOutput(Plan plan, long step) {
        return sibling(plan.output(), String.format(Locale.ROOT, "-step%08d", step), extension(plan.output()));
    }

    /**
     * Every file the run will write from {@code step} on (step files, then the outputs), so that one
     * that exists stops the run before its first step rather than at its end.
     */
    private static List<Path> plannedOutputs(TrainingMethod method, Plan plan, long step, long total) {
        List<Path> files = new ArrayList<>();
        for (long s = step + 1; s < total; s++) {
            if (savesStepFile(plan, s, total)) {
                files.addAll(method.files(stepOutput(plan, s), plan.request().formats()));
            }
        }
        files.addAll(method.files(plan.output(), plan.request().formats()));
        return files;
    }

    private static int[] largestFrame(TrainingData data) {
        int[] largest = {0, 0};
        for (TrainingData.Item item : data.items()) {
            if ((long) item.framing().width() * item.framing().height() > (long) largest[0] * largest[1]) {
                largest[0] = item.framing().width();
                largest[1] = item.framing().height();
            }
        }
        return largest;
    }

    /**
     * The steps a checkpoint's run took before it stopped, as their progress reports were (loss and
     * running mean; the learning rate, gradient norm and timing are not kept and are NaN, and the
     * total is 0 for a run counted in epochs), for a resumed run's loss plot to show the whole run.
     */
    public static List<Progress> history(TrainingCheckpoint checkpoint) {
        List<Progress> steps = new ArrayList<>();
        List<Double> losses = checkpoint.losses();
        long total = checkpoint.request().steps();
        for (int i = 0; i < losses.size(); i++) {
            steps.add(new Progress(i + 1, total, losses.get(i), runningMean(losses.subList(0, i + 1)), Double.NaN,
                    Double.NaN, Double.NaN, Double.NaN));
        }
        return steps;
    }

    /** The mean of the last {@value #MEAN_LOSS_WINDOW} losses (the status line's "mean"); NaN for none. */
    private static double runningMean(List<Double> losses) {
        return losses.subList(Math.max(0, losses.size() - MEAN_LOSS_WINDOW), losses.size()).stream()
                .mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** {@code <folder>/<stem of file><suffix><extension>}. */
    static Path sibling(Path file, String suffix, String extension) {
        Path name = Path.of(stem(file) + suffix + extension);
        return file.getParent() == null ? name : file.getParent().resolve(name);
    }

    /** The file name without its extension. */
    static String stem(Path file) {
        String name = file.getFileName().toString();
        return name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
    }

    private static String extension(Path file) {
        String name = file.getFileName().toString();
        return name.contains(".") ? name.substring(name.lastIndexOf('.')) : ".safetensors";
    }

    /**
     * The position in the data order: epoch and batch within it. An epoch's batches are a function
     * of (seed, epoch), so the position is all a checkpoint needs.
     */
    private static final class DataOrder {
        private final TrainingData data;
        private final int batchSize;
        private int epoch;
        private int batchInEpoch;
        private List<List<TrainingData.Sample>> batches;

        DataOrder(TrainingData data, int batchSize) {
            this.data = data;
            this.batchSize = batchSize;
            this.batches = data.epoch(0, batchSize);
        }

        void seek(int epoch, int batchInEpoch) {
            this.epoch = epoch;
            this.batchInEpoch = batchInEpoch;
            this.batches = data.epoch(epoch, batchSize);
        }

        List<TrainingData.Sample> next() {
            if (batchInEpoch == batches.size()) {
                seek(epoch + 1, 0);
            }
            return batches.get(batchInEpoch++);
        }

        int epoch() {
            return epoch;
        }

        int batchInEpoch() {
            return batchInEpoch;
        }
    }
}
