package org.diffij.pipelines;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diffij.DiffijException;
import org.diffij.engine.CachedModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.diffij.io.HostTensor;
import org.diffij.io.Json;
import org.diffij.io.ModelFolder;
import org.diffij.io.WeightSet;
import org.diffij.io.Weights;
import org.diffij.models.checkpoint.SingleFileCheckpoint;
import org.diffij.models.ConfigReader;
import org.diffij.models.unet.UNet2DConditionConfig;
import org.diffij.models.unet.UNet2DConditionModel;
import org.diffij.models.vae.AutoencoderKL;
import org.diffij.models.vae.AutoencoderKLConfig;
import org.diffij.models.clip.ClipTextConfig;
import org.diffij.models.clip.ClipTextModel;
import org.diffij.text.ClipTokenizer;

/**
 * A Stable Diffusion checkpoint ready to generate: tokenizer(s), text encoder(s), UNet, VAE and the
 * scheduler config it was trained with. SD 1.x and 2.x have one text encoder, SDXL two; everything
 * else is the same classes configured differently.
 */
public final class StableDiffusionModel implements CachedModel {

    private final Path path;
    private final Path configFolder;
    private final ClipTokenizer tokenizer;
    private final ClipTextModel textEncoder;
    private final ClipTokenizer tokenizer2;
    private final ClipTextModel textEncoder2;
    private final UNet2DConditionModel unet;
    private final AutoencoderKL vae;
    private final JsonObject schedulerConfig;
    private final boolean forceZerosForEmptyPrompt;

    private StableDiffusionModel(Path path, Path configFolder, ClipTokenizer tokenizer, ClipTextModel textEncoder,
            ClipTokenizer tokenizer2, ClipTextModel textEncoder2, UNet2DConditionModel unet, AutoencoderKL vae,
            JsonObject schedulerConfig, boolean forceZerosForEmptyPrompt) {
        this.path = path;
        this.configFolder = configFolder;
        this.tokenizer = tokenizer;
        this.textEncoder = textEncoder;
        this.tokenizer2 = tokenizer2;
        this.textEncoder2 = textEncoder2;
        this.unet = unet;
        this.vae = vae;
        this.schedulerConfig = schedulerConfig;
        this.forceZerosForEmptyPrompt = forceZerosForEmptyPrompt;
    }

    /** A diffusers pipeline folder (SD 1.x, 2.x or XL). */
    public static StableDiffusionModel load(Path folder, NDManager manager, DataType computeType) {
        ModelFolder model = pipelineFolder(folder);
        return assemble(folder, model, name -> WeightSet.openFolder(folder.resolve(name)), manager, computeType);
    }

    /**
     * An original LDM / A1111 / Civitai single-file checkpoint, with the configs and tokenizers of a
     * diffusers folder of the same architecture (as diffusers' {@code from_single_file(config=...)}).
     */
    public static StableDiffusionModel loadSingleFile(Path checkpoint, Path configFolder, NDManager manager,
            DataType computeType) {
        ModelFolder model = pipelineFolder(configFolder);
        try (SingleFileCheckpoint file = SingleFileCheckpoint.open(checkpoint, configFolder)) {
            for (String name : new String[] {"unet", "vae", "text_encoder"}) {
                if (!file.components().contains(name)) {
                    throw new DiffijException(checkpoint.getFileName() + ": holds no " + name + " weights; a "
                            + "Stable Diffusion checkpoint has model.diffusion_model.*, first_stage_model.* and the "
                            + "text encoder");
                }
            }
            return assemble(checkpoint, model, name -> new Unclosed(file.component(name)), manager, computeType);
        }
    }

    /** A view that the per-component loader may close without closing the shared checkpoint. */
    private record Unclosed(Weights weights) implements Weights, AutoCloseable {
        @Override
        public Set<String> names() {
            return weights.names();
        }

        @Override
        public HostTensor read(String name) {
            return weights.read(name);
        }

        @Override
        public void close() {
        }
    }

    /** The folder as a pipeline, refused unless it has the components every Stable Diffusion pipeline has. */
    static ModelFolder pipelineFolder(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new DiffijException(folder + ": no such model folder");
        }
        ModelFolder model = ModelFolder.open(folder);
        for (String required : new String[] {"unet", "vae", "text_encoder", "tokenizer", "scheduler"}) {
            if (!model.components().containsKey(required)) {
                throw new DiffijException(folder + ": not a Stable Diffusion pipeline, it has no " + required + "/ ("
                        + "found " + model.components().keySet() + ")");
            }
        }
        return model;
    }

    private static <W extends Weights & AutoCloseable> StableDiffusionModel assemble(Path path, ModelFolder model,
            Function<String, W> weights, NDManager manager, DataType computeType) {
        Path folder = model.root();
        boolean xl = model.components().containsKey("text_encoder_2");
        JsonObject index = Json.readObject(folder.resolve("model_index.json"));
        boolean forceZeros = new ConfigReader(index, folder.resolve("model_index.json").toString())
                .bool("force_zeros_for_empty_prompt", false);
        try (W unet = weights.apply("unet"); W vae = weights.apply("vae"); W text = weights.apply("text_encoder");
                W text2 = xl ? weights.apply("text_encoder_2") : null) {
            return new StableDiffusionModel(path, folder,
                    ClipTokenizer.load(folder.resolve("tokenizer")),
                    ClipTextModel.load(ClipTextConfig.read(folder.resolve("text_encoder/config.json")), text, manager,
                            computeType),
                    xl ? ClipTokenizer.load(folder.resolve("tokenizer_2")) : null,
                    xl ? ClipTextModel.load(ClipTextConfig.read(folder.resolve("text_encoder_2/config.json")), text2,
                            manager, computeType) : null,
                    new UNet2DConditionModel(UNet2DConditionConfig.from(model.component("unet").config(),
                            folder.resolve("unet").toString()), unet, manager,
                            computeType),
                    new AutoencoderKL(AutoencoderKLConfig.from(model.component("vae").config(),
                            folder.resolve("vae").toString()), vae, manager,
                            computeType),
                    Json.readObject(folder.resolve("scheduler").resolve("scheduler_config.json")),
                    forceZeros);
        } catch (Exception e) {
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new DiffijException(path + ": cannot be loaded (" + e.getMessage() + ")", e);
        }
    }

    /** An SD 1.x/2.x model from components already built (e.g. with random weights for benchmarks). */
    public static StableDiffusionModel of(Path path, ClipTokenizer tokenizer, ClipTextModel textEncoder,
            UNet2DConditionModel unet, AutoencoderKL vae, JsonObject schedulerConfig) {
        return new StableDiffusionModel(path, path, tokenizer, textEncoder, null, null, unet, vae, schedulerConfig, false);
    }

    public Path path() {
        return path;
    }

    /** The diffusers folder whose configs and tokenizers this model uses (its own folder, or a single file's). */
    public Path configFolder() {
        return configFolder;
    }

    /**
     * Runs {@code use} with the stored (unloaded) weights of the text and UNet components by diffusers
     * name, e.g. to read an adapter against them or to load a patched copy; they are closed afterwards.
     */
    public <T> T withStoredWeights(Function<Map<String, Weights>, T> use) {
        List<String> names = isXl() ? List.of("unet", "text_encoder", "text_encoder_2") : List.of("unet", "text_encoder");
        if (Files.isDirectory(path)) {
            Map<String, WeightSet> sets = new LinkedHashMap<>();
            try {
                for (String name : names) {
                    sets.put(name, WeightSet.openFolder(path.resolve(name)));
                }
                return use.apply(Map.copyOf(sets));
            } finally {
                sets.values().forEach(WeightSet::close);
            }
        }
        try (SingleFileCheckpoint file = SingleFileCheckpoint.open(path, configFolder)) {
            Map<String, Weights> components = new LinkedHashMap<>();
            for (String name : names) {
                components.put(name, file.component(name));
            }
            return use.apply(components);
        }
    }

    public boolean isXl() {
        return textEncoder2 != null;
    }

    public ClipTokenizer tokenizer() {
        return tokenizer;
    }

    public ClipTextModel textEncoder() {
        return textEncoder;
    }

    /** SDXL's second tokenizer, null for SD 1.x/2.x. */
    public ClipTokenizer tokenizer2() {
        return tokenizer2;
    }

    /** SDXL's second text encoder (with projection), null for SD 1.x/2.x. */
    public ClipTextModel textEncoder2() {
        return textEncoder2;
    }

    public UNet2DConditionModel unet() {
        return unet;
    }

    public AutoencoderKL vae() {
        return vae;
    }

    /**
     * This model decoding and encoding with another VAE (a separate VAE file's): the same components
     * otherwise, so nothing is loaded again.
     */
    public StableDiffusionModel withVae(AutoencoderKL replacement) {
        return new StableDiffusionModel(path, configFolder, tokenizer, textEncoder, tokenizer2, textEncoder2, unet,
                replacement, schedulerConfig, forceZerosForEmptyPrompt);
    }

    /** The model's own {@code scheduler_config.json}, which samplers start from. */
    public JsonObject schedulerConfig() {
        return schedulerConfig.deepCopy();
    }

    /** SDXL leaves the negative conditioning at zero when no negative prompt is given. */
    public boolean forceZerosForEmptyPrompt() {
        return forceZerosForEmptyPrompt;
    }

    /** How much smaller latents are than images (8 for real models). */
    public int vaeScaleFactor() {
        return vae.config().downscale();
    }

    @Override
    public long sizeBytes() {
        return textEncoder.sizeBytes() + (textEncoder2 == null ? 0 : textEncoder2.sizeBytes()) + unet.sizeBytes()
                + vae.sizeBytes();
    }
}
