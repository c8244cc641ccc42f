package org.diffij.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.diffij.DiffijException;
import org.diffij.engine.ProgressListener;
import org.diffij.io.AtomicFiles;
import org.diffij.io.Json;
import org.diffij.models.checkpoint.CheckpointArchitecture;
import org.diffij.models.checkpoint.SingleFileCheckpoint;
import org.diffij.models.unet.UNet2DConditionModel;
import org.diffij.nn.ParameterTree;
import org.diffij.pipelines.Generator;
import org.diffij.pipelines.StableDiffusionModel;
import org.diffij.text.ClipTokenizer;

/**
 * DreamBooth as diffusers' {@code train_dreambooth.py}: every weight of the UNet (and of the text
 * encoders with {@code train_text_encoder}) fine-tuned on the instance images, with prior
 * preservation: each micro-batch of instance rows is followed by as many class rows, captioned with
 * the class prompt, whose loss is weighted by {@code prior_loss_weight}. The class rows are class
 * images ({@code prior_mode=images}) or the instance images again, trained towards the frozen base
 * UNet's prediction ({@code prior_mode=prediction}, OneTrainer's prior prediction). The result is a
 * whole model: a diffusers pipeline folder and/or a single-file LDM checkpoint.
 */
final class DreamBoothTraining implements TrainingMethod {

    private static final String UNET = "unet";
    private static final String TEXT_ENCODER = "text_encoder";
    private static final String TEXT_ENCODER_2 = "text_encoder_2";
    /** Weight files of the components this method writes itself; the rest of the base folder is copied. */
    private static final Set<String> WRITTEN_COMPONENTS = Set.of(UNET, "vae", TEXT_ENCODER, TEXT_ENCODER_2);

    private final StableDiffusionModel model;
    private final FullFineTune fineTune;
    private final TrainingRequest.DreamBoothOptions options;
    private final List<TrainingData.Item> classItems;
    private final UNet2DConditionModel baseUNet;
    private final long seed;
    private List<Integer> classOrder;
    private long classOrderEpoch = -1;

    private DreamBoothTraining(StableDiffusionModel model, FullFineTune fineTune,
            TrainingRequest.DreamBoothOptions options, List<TrainingData.Item> classItems,
            UNet2DConditionModel baseUNet, long seed) {
        this.model = model;
        this.fineTune = fineTune;
        this.options = options;
        this.classItems = classItems;
        this.baseUNet = baseUNet;
        this.seed = seed;
    }

    /**
     * What a checkpoint records to detect changed data: the instance data's description and, for
     * {@code prior_mode=images}, that of the class images the run uses.
     */
    static String dataFingerprint(TrainingRequest request, TrainingData data) {
        if (request.method() != TrainingRequest.Method.DREAMBOOTH
                || request.dreamBooth().priorMode() != TrainingRequest.PriorMode.IMAGES) {
            return data.fingerprint();
        }
        Map<String, String> lines = new LinkedHashMap<>(data.describe());
        Path classDir = Path.of(request.dreamBooth().classDir());
        if (Files.isDirectory(classDir) && !isEmpty(classDir)) {
            TrainingData classes = TrainingData.scan(classDir, request.dataOptions(), "", request.seed());
            classes.describe().entrySet().stream().limit(request.dreamBooth().classImages())
                    .forEach(line -> lines.put("class: " + line.getKey(), line.getValue()));
        }
        return TrainingData.fingerprint(lines);
    }

    private static boolean isEmpty(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.findAny().isEmpty();
        } catch (IOException e) {
            throw new DiffijException(folder + ": cannot list the class images (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Makes the model's UNet (and text encoders, if asked) trainable; reads the class images
     * ({@code prior_mode=images}, the first {@code num_class_images} of the class folder, which
     * {@link #ensureClassImages} filled) or keeps a frozen copy of the base UNet ({@code prediction}).
     */
    static DreamBoothTraining create(TrainingRequest request, StableDiffusionModel model, NDManager manager) {
        TrainingRequest.DreamBoothOptions options = request.dreamBooth();
        List<TrainingData.Item> classItems = List.of();
        UNet2DConditionModel baseUNet = null;
        switch (options.priorMode()) {
            case IMAGES -> {
                List<TrainingData.Item> items = TrainingData.scan(Path.of(options.classDir()), request.dataOptions(),
                        "", request.seed()).items();
                if (items.size() < options.classImages()) {
                    throw new DiffijException(options.classDir() + " holds " + items.size() + " class images, fewer "
                            + "than num_class_images=" + options.classImages() + "; let the run generate them or "
                            + "lower num_class_images");
                }
                classItems = List.copyOf(items.subList(0, options.classImages()));
            }
            case PREDICTION -> baseUNet = new UNet2DConditionModel(model.unet().config(),
                    model.unet().parameters().asWeights(), manager, DataType.FLOAT32);
            case OFF -> {
            }
        }
        Map<String, ParameterTree> components = new LinkedHashMap<>();
        components.put(UNET, model.unet().parameters());
        if (options.trainTextEncoder()) {
            components.put(TEXT_ENCODER, model.textEncoder().parameters());
            if (model.isXl()) {
                components.put(TEXT_ENCODER_2, model.textEncoder2().parameters());
            }
        }
        return new DreamBoothTraining(model, new FullFineTune(components), options, classItems, baseUNet,
                request.seed());
    }

    /**
     * Generates the class images a request with {@code prior_mode=images} lacks, with the base model,
     * before its training job is queued; does nothing for the other modes.
     *
     * @param configFolder the diffusers folder whose scheduler the class images are sampled with
     */
    static void ensureClassImages(TrainingRequest request, Path configFolder, Generator generator,
            ProgressListener listener) {
        TrainingRequest.DreamBoothOptions options = request.dreamBooth();
        if (request.method() != TrainingRequest.Method.DREAMBOOTH
                || options.priorMode() != TrainingRequest.PriorMode.IMAGES) {
            return;
        }
        // The pipeline's own scheduler, as the script's StableDiffusionPipeline(class_prompt) samples.
        String scheduler = Json.readObject(configFolder.resolve("scheduler/scheduler_config.json"))
                .get("_class_name").getAsString();
        int size = request.dataOptions().resolution();
        ClassImages.ensure(Path.of(options.classDir()), new ClassImages.Settings(request.model(),
                options.classPrompt(), options.classImages(), size, size, request.seed(), scheduler, 50, 7.5),
                generator, listener);
    }

    /**
     * What a run with {@code output} writes in {@code formats}: a diffusers folder named as the output
     * without {@code .safetensors}, a single-file checkpoint with it, in the formats' order.
     */
    static List<Path> targets(Path output, List<String> formats) {
        String name = output.getFileName().toString();
        String stem = name.endsWith(".safetensors") ? name.substring(0, name.length() - ".safetensors".length())
                : name;
        List<Path> targets = new ArrayList<>();
        for (String format : formats) {
            targets.add(output.resolveSibling(format.equals("diffusers") ? stem : stem + ".safetensors"));
        }
        return targets;
    }

    @Override
    public Map<String, NDArray> trained() {
        return fineTune.parameters();
    }

    @Override
    public boolean isTextEncoder(String name) {
        return FullFineTune.belongsTo(name, TEXT_ENCODER) || FullFineTune.belongsTo(name, TEXT_ENCODER_2);
    }

    @Override
    public DenoisingObjective.Trainables trainables() {
        return DenoisingObjective.Trainables.NONE;
    }

    @Override
    public ClipTokenizer tokenizer() {
        return model.tokenizer();
    }

    @Override
    public ClipTokenizer tokenizer2() {
        return model.tokenizer2();
    }

    @Override
    public TrainingMemory memory(StableDiffusionModel model, TrainingRequest request, int largestWidth,
            int largestHeight) {
        return TrainingMemory.fullFineTune(model, fineTune.values(), baseUNet == null ? 0 : baseUNet.sizeBytes(),
                options.priorMode() == TrainingRequest.PriorMode.OFF ? 1 : 2, request, largestWidth, largestHeight);
    }

    @Override
    public List<TrainingData.Sample> priorSamples(List<TrainingData.Sample> instances, long batchIndex) {
        List<TrainingData.Sample> rows = new ArrayList<>();
        switch (options.priorMode()) {
            case IMAGES -> {
                for (int row = 0; row < instances.size(); row++) {
                    rows.add(new TrainingData.Sample(classItem(batchIndex * instances.size() + row),
                            options.classPrompt(), false));
                }
            }
            case PREDICTION -> instances.forEach(sample -> rows.add(new TrainingData.Sample(sample.item(),
                    options.classPrompt(), sample.flip())));
            case OFF -> {
            }
        }
        return rows;
    }

    /**
     * The class image of draw {@code n}: the class images in an order shuffled per pass from the seed,
     * a pure function of {@code n}, so that a resumed run continues with the same images.
     */
    private TrainingData.Item classItem(long n) {
        long epoch = n / classItems.size();
        if (epoch != classOrderEpoch) {
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < classItems.size(); i++) {
                order.add(i);
            }
            Collections.shuffle(order, new Random(seed * 0x9E3779B97F4A7C15L + epoch));
            classOrder = order;
            classOrderEpoch = epoch;
        }
        return classItems.get(classOrder.get((int) (n % classItems.size())));
    }

    @Override
    public DenoisingObjective.PriorPreservation priorPreservation(int rows) {
        return new DenoisingObjective.PriorPreservation(rows, options.priorWeight(), baseUNet);
    }

    @Override
    public List<Path> files(Path output, List<String> formats) {
        return targets(output, formats);
    }

    @Override
    public List<Path> save(Path output, List<String> formats, TrainingProvenance provenance, boolean overwrite) {
        OutputFiles.requireNew(targets(output, formats), overwrite);
        Map<String, String> tagged = new LinkedHashMap<>();
        // transformers refuses a safetensors file whose metadata lacks format=pt.
        tagged.put("format", "pt");
        tagged.putAll(provenance.metadata());
        Map<String, ParameterTree> components = new LinkedHashMap<>();
        components.put(UNET, model.unet().parameters());
        components.put("vae", model.vae().parameters());
        components.put(TEXT_ENCODER, model.textEncoder().parameters());
        if (model.isXl()) {
            components.put(TEXT_ENCODER_2, model.textEncoder2().parameters());
        }
        List<Path> targets = targets(output, formats);
        for (int i = 0; i < formats.size(); i++) {
            Path target = targets.get(i);
            switch (formats.get(i)) {
                case "diffusers" -> writeDiffusers(target, components, tagged);
                case "single_file" -> SingleFileCheckpoint.writeNew(target, architecture(), components, tagged);
                default -> throw new DiffijException("DreamBooth format '" + formats.get(i) + "' cannot be written; "
                        + "use formats=diffusers or single_file");
            }
        }
        return targets;
    }

    /** The base model's folder (configs, tokenizers, scheduler) with this run's weights, written as one folder. */
    private void writeDiffusers(Path target, Map<String, ParameterTree> components, Map<String, String> metadata) {
        Path base = model.configFolder();
        try {
            AtomicFiles.writeFolder(target, folder -> {
                try (Stream<Path> files = Files.walk(base)) {
                    for (Path file : files.toList()) {
                        Path relative = base.relativize(file);
                        if (Files.isDirectory(file) || isWrittenWeightFile(relative)) {
                            continue;
                        }
                        Files.createDirectories(folder.resolve(relative).getParent());
                        Files.copy(file, folder.resolve(relative.toString()));
                    }
                }
                components.forEach((name, tree) -> tree.write(folder.resolve(name).resolve(
                        name.startsWith(TEXT_ENCODER) ? "model.safetensors" : "diffusion_pytorch_model.safetensors"),
                        metadata));
            });
        } catch (IOException e) {
            throw new DiffijException(target + ": the trained model cannot be written (" + e.getMessage() + ")", e);
        }
    }

    private static boolean isWrittenWeightFile(Path relative) {
        if (relative.getNameCount() != 2 || !WRITTEN_COMPONENTS.contains(relative.getName(0).toString())) {
            return false;
        }
        String name = relative.getFileName().toString();
        return name.endsWith(".safetensors") || name.endsWith(".bin") || name.endsWith(".index.json");
    }

    /** SDXL by its second text encoder, SD 2.x by its OpenCLIP text tower's exact GELU, else SD 1.x. */
    private CheckpointArchitecture architecture() {
        if (model.isXl()) {
            return CheckpointArchitecture.SDXL;
        }
        return model.textEncoder().config().hiddenAct().equals("gelu") ? CheckpointArchitecture.SD2
                : CheckpointArchitecture.SD1;
    }
}
