package org.diffij.training;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.diffij.DiffijException;
import org.diffij.io.HostTensor;
import org.diffij.models.hypernetwork.HypernetworkActivation;
import org.diffij.models.hypernetwork.HypernetworkConfig;
import org.diffij.pipelines.MacroOptions;
import org.diffij.schedulers.PredictionType;

/**
 * Everything that determines a training run: the one description that is at once the macro option
 * string ({@link #toMacroOptions()}, {@code key=value}), the provenance written into the trained
 * file's {@code __metadata__}, and the resume key ({@link #resumeRefusal}: a checkpoint resumes only
 * under a request that trains the same way). One record for every method; the fields of other
 * methods keep their defaults and are not written. Missing keys take the method's defaults, which
 * are those of the reference scripts (see {@link #defaults}).
 *
 * @param model                 the base model as the user named it
 * @param data                  the folder of training images
 * @param steps                 optimiser steps (0: derived from {@code epochs})
 * @param epochs                passes over the data when {@code steps} is 0
 * @param gradientAccumulation  batches whose gradients are summed per optimiser step
 * @param lrSchedule            a diffusers {@code get_scheduler} name or A1111's stepped rates
 * @param lrCycles              {@code cosine_with_restarts} cycles
 * @param lrPower               {@code polynomial} power
 * @param predictionType        the training target; null = the model's own
 * @param minSnrGamma           min-SNR-gamma weighting, 0 = off
 * @param maxGradNorm           clipping by global norm, 0 = off
 * @param saveEvery             write the adapter every N steps (0: only at the end)
 * @param sampleEvery           validation images every N steps (0: none)
 * @param checkpointEvery       resumable checkpoint every N steps (0: none)
 * @param samplePrompts         a file of kohya prompt lines, empty for none
 * @param formats               output formats, the first written to {@code output}, the others beside it: LoRA
 *                              {@code kohya}, {@code diffusers}; TI {@code a1111}, {@code a1111_pt}, {@code diffusers};
 *                              hypernetwork {@code a1111} (.pt), {@code safetensors}
 * @param gradientCheckpointing {@code auto}, {@code on} or {@code off}
 */
public record TrainingRequest(String model, Method method, String data, DataOptions dataOptions, int steps,
        int epochs, int batch, int gradientAccumulation, double lrUnet, double lrTextEncoder,
        AdamW.Settings optimizer, String lrSchedule, int warmupSteps, double lrCycles, double lrPower, long seed,
        PredictionType predictionType, double noiseOffset, double minSnrGamma, double maxGradNorm, int saveEvery,
        int sampleEvery, int checkpointEvery, String samplePrompts, LoraOptions lora, TextualInversionOptions ti,
        DreamBoothOptions dreamBooth, HypernetworkOptions hypernetwork, String output, List<String> formats,
        String gradientCheckpointing) {

    /** What is trained. */
    public enum Method {
        LORA, TI, DREAMBOOTH, HYPERNETWORK;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Method of(String key) {
            return OptionRanges.choice("method", values(), key);
        }
    }

    /**
     * LoRA: {@code targets} {@code kohya} (every Linear and 1x1 conv of the transformer blocks) or
     * {@code attention} (to_q/to_k/to_v/to_out.0); {@code convRank} > 0 adds the 3x3 convs (LoCon).
     */
    public record LoraOptions(int rank, double alpha, String targets, int convRank, double convAlpha,
            boolean trainTextEncoder) {

        public static final LoraOptions DEFAULTS = new LoraOptions(4, 4, "kohya", 0, 1, false);

        public LoraOptions {
            targets = targets == null ? "kohya" : targets.trim().toLowerCase(Locale.ROOT);
            OptionRanges.whole("rank", rank, 1, 1024, "");
            // A LoRA file's alpha is refused beyond float16's range when it is loaded: never train one.
            OptionRanges.number("alpha", alpha, 0, true, HostTensor.FLOAT16_MAX, "");
            if (!targets.equals("kohya") && !targets.equals("attention")) {
                throw new DiffijException("targets must be kohya or attention, not '" + targets + "'");
            }
            OptionRanges.whole("conv_rank", convRank, 0, 1024, " (0: off)");
            OptionRanges.number("conv_alpha", convAlpha, 0, true, HostTensor.FLOAT16_MAX, "");
        }
    }

    /** Textual inversion: the placeholder token, the word its vectors start from, how many vectors. */
    public record TextualInversionOptions(String token, String initWord, int vectors) {

        public static final TextualInversionOptions DEFAULTS = new TextualInversionOptions("", "", 1);

        public TextualInversionOptions {
            token = token == null ? "" : token.trim();
            initWord = initWord == null ? "" : initWord.trim();
            OptionRanges.whole("vectors", vectors, 1, 75, "");
            if (token.contains(" ")) {
                throw new DiffijException("token must be one word without spaces, not '" + token + "'");
            }
        }
    }

    /**
     * DreamBooth: full fine-tuning of the UNet (and the text encoder when {@code trainTextEncoder}) with
     * prior preservation as {@code priorMode} says: {@code images} adds class images (the folder
     * {@code classDir}, filled up to {@code classImages} from {@code classPrompt} by the base model),
     * {@code prediction} trains the instance images under the class prompt towards the frozen base
     * model's prediction (no class images), {@code off} trains the instance images alone. The prior
     * loss is weighted by {@code priorWeight}.
     */
    public record DreamBoothOptions(String classDir, String classPrompt, int classImages, double priorWeight,
            PriorMode priorMode, boolean trainTextEncoder) {

        /** diffusers' train_dreambooth.py: 100 class images, prior loss weight 1, text encoder frozen. */
        public static final DreamBoothOptions DEFAULTS = new DreamBoothOptions("", "", 100, 1, PriorMode.IMAGES,
                false);

        public DreamBoothOptions {
            classDir = classDir == null ? "" : classDir.trim();
            classPrompt = classPrompt == null ? "" : classPrompt.trim();
            Objects.requireNonNull(priorMode, "priorMode");
            OptionRanges.whole("num_class_images", classImages, 1, 100_000,
                    " (prior_mode=off trains without prior preservation)");
            OptionRanges.number("prior_loss_weight", priorWeight, 0, true, 1000,
                    " (prior_mode=off trains without prior preservation)");
        }
    }

    /** How DreamBooth preserves the class prior. */
    public enum PriorMode {
        IMAGES, PREDICTION, OFF;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static PriorMode of(String key) {
            return OptionRanges.choice("prior_mode", values(), key);
        }
    }

    /**
     * A hypernetwork as A1111's "Create hypernetwork" makes one: {@code sizes} the context widths it
     * gets modules for ({@code auto}: the UNet's cross-attention width and block widths, A1111's
     * default of 768, 320, 640, 1280 for SD 1.x), then its layer structure, activation, weight
     * initialisation, layer norm and dropout (the structure applies only with {@code useDropout}).
     */
    public record HypernetworkOptions(String sizes, String layerStructure, String activation, String weightInit,
            boolean layerNorm, boolean useDropout, String dropoutStructure) {

        public static final HypernetworkOptions DEFAULTS = new HypernetworkOptions("auto", "1,2,1", "linear",
                "Normal", false, false, "");

        public HypernetworkOptions {
            sizes = sizes == null || sizes.isBlank() ? "auto" : sizes.trim().toLowerCase(Locale.ROOT);
            layerStructure = text(layerStructure).trim();
            activation = text(activation).trim().toLowerCase(Locale.ROOT);
            String init = text(weightInit).trim();
            weightInit = HypernetworkConfig.WEIGHT_INITIALIZATIONS.stream().filter(w -> w.equalsIgnoreCase(init))
                    .findFirst().orElse(init);
            dropoutStructure = text(dropoutStructure).trim();
            if (!sizes.equals("auto")) {
                for (int size : widths(sizes)) {
                    if (size < 1 || size > 8192) {
                        throw new DiffijException("sizes must be auto or context widths 1..8192, not '" + sizes + "'");
                    }
                }
            }
            architecture(layerStructure, activation, layerNorm, weightInit, useDropout, dropoutStructure);
        }

        /** The explicit context widths, or an empty list for {@code auto}. */
        public List<Integer> widths() {
            return sizes.equals("auto") ? List.of() : widths(sizes);
        }

        /** The architecture these options describe (checked when the options are made). */
        public HypernetworkConfig config() {
            return architecture(layerStructure, activation, layerNorm, weightInit, useDropout, dropoutStructure);
        }

        private static HypernetworkConfig architecture(String layerStructure, String activation, boolean layerNorm,
                String weightInit, boolean useDropout, String dropoutStructure) {
            return HypernetworkConfig.create(fractions("layer_structure", layerStructure),
                    HypernetworkActivation.of(activation), layerNorm, weightInit, useDropout,
                    dropoutStructure.isEmpty() ? null : fractions("dropout_structure", dropoutStructure));
        }

        private static List<Integer> widths(String text) {
            try {
                return Arrays.stream(text.split(",")).map(String::trim).map(Integer::parseInt).toList();
            } catch (NumberFormatException e) {
                throw new DiffijException("sizes must be auto or comma-separated widths such as 768,320,640,1280, "
                        + "not '" + text + "'");
            }
        }

        private static List<Double> fractions(String key, String text) {
            try {
                return Arrays.stream(text.split(",")).map(String::trim).map(Double::parseDouble).toList();
            } catch (NumberFormatException e) {
                throw new DiffijException(key + " must be comma-separated numbers such as 1,2,1, not '" + text + "'");
            }
        }
    }

    /** Keys that change how a run is saved or watched, not what it trains: a resume may change them. */
    private static final Set<String> NOT_IN_RESUME_KEY = Set.of("save_every", "sample_every", "checkpoint_every",
            "sample_prompts", "output", "formats", "gradient_checkpointing");

    public TrainingRequest {
        model = text(model);
        data = text(data);
        lrSchedule = text(lrSchedule).isBlank() ? "constant" : lrSchedule.trim();
        samplePrompts = text(samplePrompts);
        output = text(output);
        formats = List.copyOf(formats == null || formats.isEmpty() ? defaultFormats(method) : formats);
        gradientCheckpointing = text(gradientCheckpointing).isBlank() ? "auto"
                : gradientCheckpointing.trim().toLowerCase(Locale.ROOT);
        Objects.requireNonNull(method, "method");
        if (model.isBlank()) {
            throw new DiffijException("no model given: name a diffusers folder or a .safetensors checkpoint");
        }
        if (data.isBlank()) {
            throw new DiffijException("no data given: name the folder of training images");
        }
        OptionRanges.whole("steps", steps, 0, OptionRanges.MAX_STEPS, " (0: from epochs)");
        OptionRanges.whole("epochs", epochs, 0, 100_000, " (used when steps is 0)");
        if (steps == 0 && epochs == 0) {
            throw new DiffijException("give steps (1 or more) or epochs (1 or more), not steps=0 epochs=0");
        }
        OptionRanges.whole("batch", batch, 1, 1024, "");
        OptionRanges.whole("gradient_accumulation", gradientAccumulation, 1, 1024, "");
        OptionRanges.number("lr", lrUnet, 0, false, 1, "");
        OptionRanges.number("lr_text_encoder", lrTextEncoder, 0, false, 1, " (0: same as lr)");
        OptionRanges.whole("warmup_steps", warmupSteps, 0, OptionRanges.MAX_STEPS, "");
        OptionRanges.number("lr_cycles", lrCycles, 0, true, 10_000, "");
        OptionRanges.number("lr_power", lrPower, 0, true, 100, "");
        LrSchedule.parse(lrSchedule, lrUnet > 0 ? lrUnet : 1, warmupSteps, Math.max(steps, warmupSteps + 1), lrCycles,
                lrPower);
        OptionRanges.whole("seed", seed, 0, Long.MAX_VALUE, "");
        OptionRanges.number("noise_offset", noiseOffset, 0, false, 1, "");
        OptionRanges.number("min_snr_gamma", minSnrGamma, 0, false, 1000, " (0: off)");
        OptionRanges.number("max_grad_norm", maxGradNorm, 0, false, 1e6, " (0: off)");
        OptionRanges.whole("save_every", saveEvery, 0, OptionRanges.MAX_STEPS, " (0: off)");
        OptionRanges.whole("sample_every", sampleEvery, 0, OptionRanges.MAX_STEPS, " (0: off)");
        OptionRanges.whole("checkpoint_every", checkpointEvery, 0, OptionRanges.MAX_STEPS, " (0: off)");
        if (!List.of("auto", "on", "off").contains(gradientCheckpointing)) {
            throw new DiffijException("gradient_checkpointing must be auto, on or off, not '" + gradientCheckpointing
                    + "'");
        }
        List<String> allowed = allowedFormats(method);
        for (String format : formats) {
            if (!allowed.contains(format)) {
                throw new DiffijException("format '" + format + "' is not one for " + method.key() + "; use "
                        + String.join(" or ", allowed));
            }
        }
    }

    /**
     * Checks what a run of the method needs beyond valid values (the textual-inversion token and init
     * word, DreamBooth's class prompt); {@link #fromOptions} calls it, so does a trainer before it starts.
     * {@link #defaults} requests lack these and fail it.
     */
    public TrainingRequest checkComplete() {
        if (method == Method.TI && ti.token().isEmpty()) {
            throw new DiffijException("textual inversion needs a token, e.g. token=<my-cat>");
        }
        if (method == Method.TI && ti.initWord().isEmpty()) {
            throw new DiffijException("textual inversion needs an init_word, the word its vectors start from, "
                    + "e.g. init_word=cat");
        }
        if (method == Method.DREAMBOOTH && dreamBooth.priorMode() != PriorMode.OFF
                && dreamBooth.classPrompt().isBlank()) {
            throw new DiffijException("DreamBooth prior preservation needs a class_prompt, e.g. "
                    + "class_prompt=[a photo of a dog] (or prior_mode=off to train without it)");
        }
        if (method == Method.DREAMBOOTH && dreamBooth.priorMode() == PriorMode.IMAGES
                && dreamBooth.classDir().isBlank()) {
            throw new DiffijException("DreamBooth prior preservation with class images needs a class_dir, the "
                    + "folder they are kept in (missing ones are generated there), or prior_mode=prediction");
        }
        if (method == Method.DREAMBOOTH && dreamBooth.priorMode() == PriorMode.IMAGES && dataOptions.bucketing()) {
            throw new DiffijException("DreamBooth class images are square: use bucketing=false with "
                    + "prior_mode=images, or prior_mode=prediction");
        }
        return this;
    }

    private static String text(String value) {
        return value == null ? "" : value;
    }

    private static List<String> defaultFormats(Method method) {
        return switch (method) {
            case LORA -> List.of("kohya");
            case TI -> List.of("a1111");
            case DREAMBOOTH -> List.of("diffusers");
            case HYPERNETWORK -> List.of("a1111");
        };
    }

    private static List<String> allowedFormats(Method method) {
        return switch (method) {
            case LORA -> List.of("kohya", "diffusers");
            case TI -> List.of("a1111", "a1111_pt", "diffusers");
            case DREAMBOOTH -> List.of("diffusers", "single_file");
            case HYPERNETWORK -> List.of("a1111", "safetensors");
        };
    }

    /**
     * A request with the reference scripts' defaults for the method: LoRA rank 4, alpha 4, lr 1e-4,
     * 1600 steps (kohya's train_network); textual inversion 1 vector, lr 5e-4, 3000 steps (diffusers'
     * example); DreamBooth lr 5e-6, 400 steps, 100 class images, prior weight 1, max_grad_norm 1;
     * hypernetwork lr 1e-5,
     * 100000 steps (A1111). Every method: AdamW (0.9, 0.999, 1e-8, 1e-2), constant LR, batch 1, 512².
     */
    public static TrainingRequest defaults(Method method, String model, String data, String output) {
        int steps = switch (method) {
            case LORA -> 1600;
            case TI -> 3000;
            case DREAMBOOTH -> 400;
            case HYPERNETWORK -> 100_000;
        };
        double lr = switch (method) {
            case LORA -> 1e-4;
            case TI -> 5e-4;
            case DREAMBOOTH -> 5e-6;
            case HYPERNETWORK -> 1e-5;
        };
        // train_dreambooth.py clips at --max_grad_norm 1.0 unless told otherwise.
        double maxGradNorm = method == Method.DREAMBOOTH ? 1 : 0;
        return new TrainingRequest(model, method, data, DataOptions.DEFAULTS, steps, 0, 1, 1, lr, 0,
                AdamW.Settings.DEFAULTS, "constant", 0, 1, 1, 0, null, 0, 0, maxGradNorm, 0, 0, 0, "",
                LoraOptions.DEFAULTS, TextualInversionOptions.DEFAULTS, DreamBoothOptions.DEFAULTS,
                HypernetworkOptions.DEFAULTS, output, List.of(), "auto");
    }

    /**
     * One line of help per option key, for the command line's {@code --help} and the Fiji dialogs:
     * the one place an option is described.
     */
    public static String help(String key) {
        return HELP.getOrDefault(key, "");
    }

    private static final Map<String, String> HELP = Map.ofEntries(
            Map.entry("method", "what is trained: lora, ti, dreambooth or hypernetwork"),
            Map.entry("model", "the base model: a diffusers folder or a single-file checkpoint"),
            Map.entry("data", "the folder of training images (captions in same-name .txt files, kohya N_token "
                    + "class repeat folders, .mask.png loss masks)"),
            Map.entry("output", "the file to write; never replaced unless overwriting is asked for"),
            Map.entry("formats", "comma-separated output formats, the first written to output, the others beside it: "
                    + "LoRA kohya (A1111/ComfyUI/Civitai, default) and diffusers (<name>-diffusers/"
                    + "pytorch_lora_weights.safetensors); TI a1111 (.safetensors, default), a1111_pt (A1111's .pt) "
                    + "and diffusers (learned_embeds.safetensors); DreamBooth diffusers (a pipeline folder named as "
                    + "the output without .safetensors) and single_file (one LDM .safetensors checkpoint for "
                    + "A1111/ComfyUI); hypernetwork a1111 (.pt, default) and safetensors"),
            Map.entry("steps", "optimiser steps (0: from epochs)"),
            Map.entry("epochs", "passes over the data, used when steps is 0"),
            Map.entry("batch", "images per batch"),
            Map.entry("gradient_accumulation", "batches whose gradients are summed per optimiser step"),
            Map.entry("lr", "learning rate (of the UNet, or of the embedding for TI)"),
            Map.entry("lr_text_encoder", "learning rate of the text encoder when it is trained (0: same as lr)"),
            Map.entry("optimizer", "the optimiser: adamw (torch's AdamW)"),
            Map.entry("betas", "AdamW's beta1,beta2"),
            Map.entry("eps", "AdamW's epsilon"),
            Map.entry("weight_decay", "AdamW's decoupled weight decay"),
            Map.entry("lr_schedule", "constant, constant_with_warmup, linear, cosine, cosine_with_restarts, "
                    + "polynomial, or A1111's stepped rates such as [5e-5:100, 5e-6:1500]"),
            Map.entry("warmup_steps", "steps of linear warmup from 0"),
            Map.entry("lr_cycles", "cosine_with_restarts: number of cycles"),
            Map.entry("lr_power", "polynomial: the power"),
            Map.entry("seed", "the seed of initial weights, data order, noise and timesteps"),
            Map.entry("prediction_type", "the training target: model (the model's own), epsilon or v_prediction"),
            Map.entry("noise_offset", "noise offset (0..1), shifts the mean brightness the model can learn"),
            Map.entry("min_snr_gamma", "min-SNR-gamma loss weighting, e.g. 5 (0: off)"),
            Map.entry("max_grad_norm", "clip gradients to this global norm (0: off)"),
            Map.entry("resolution", "training resolution (square side, or the bucket area's side)"),
            Map.entry("bucketing", "kohya's aspect-ratio buckets instead of a square crop"),
            Map.entry("min_bucket", "smallest bucket side"),
            Map.entry("max_bucket", "largest bucket side"),
            Map.entry("bucket_step", "bucket side step"),
            Map.entry("crop", "square crop when not bucketing: center or random"),
            Map.entry("flip", "also train on horizontally mirrored images"),
            Map.entry("caption_extension", "caption file extension beside each image"),
            Map.entry("template", "A1111 caption template with [name] and [filewords], e.g. [a photo of [name]]"),
            Map.entry("shuffle_captions", "shuffle comma-separated caption tags every epoch"),
            Map.entry("keep_tokens", "leading tags kept in place when shuffling"),
            Map.entry("caption_dropout", "probability of training a sample with the empty caption"),
            Map.entry("normalise", "how gray (8/16/32-bit) open images become 8 bit in Fiji: display (their display "
                    + "range) or percentile (each slice between its 0.5th and 99.5th percentiles, as the conditioning "
                    + "commands do); a folder's images are always min-max normalised per page, so display only"),
            Map.entry("save_every", "also save the adapter every N steps as <output>-stepNNNNNNNN (0: off)"),
            Map.entry("sample_every", "validation images every N steps from sample_prompts (0: off)"),
            Map.entry("checkpoint_every", "resumable checkpoint every N steps (a cancelled run always writes one)"),
            Map.entry("sample_prompts", "a file of kohya prompt lines: prompt --n negative --w --h --d seed --l cfg "
                    + "--s steps"),
            Map.entry("gradient_checkpointing", "on: recompute the UNet's activations per block during backward "
                    + "(less memory, about a third more time); auto: on only when the run would not fit otherwise"),
            Map.entry("rank", "LoRA rank (network dim)"),
            Map.entry("alpha", "LoRA alpha; the adapter is scaled by alpha/rank"),
            Map.entry("targets", "LoRA layers: kohya (every linear and 1x1 conv of the transformer blocks) or "
                    + "attention (to_q/to_k/to_v/to_out.0)"),
            Map.entry("conv_rank", "LoCon rank of the 3x3 convolutions (0: off)"),
            Map.entry("conv_alpha", "LoCon alpha"),
            Map.entry("train_text_encoder", "also train the text encoder (LoRA: adapters on it; DreamBooth: all "
                    + "its weights)"),
            Map.entry("token", "TI: the new token, e.g. <my-cat>"),
            Map.entry("init_word", "TI: the word its vectors start from"),
            Map.entry("vectors", "TI: vectors per token"),
            Map.entry("class_dir", "DreamBooth: the folder of class images; missing ones are generated there by "
                    + "the base model from class_prompt (with their prompt and seed) and reused by later runs"),
            Map.entry("class_prompt", "DreamBooth: the class prompt, e.g. [a photo of a dog]"),
            Map.entry("num_class_images", "DreamBooth: class images prior preservation needs in class_dir"),
            Map.entry("prior_loss_weight", "DreamBooth: weight of the prior-preservation loss"),
            Map.entry("prior_mode", "DreamBooth prior preservation: images (class images), prediction (the frozen "
                    + "base model's prediction under the class prompt, no class images) or off"),
            Map.entry("sizes", "hypernetwork: context widths that get modules, e.g. 768,320,640,1280 (auto: the "
                    + "UNet's cross-attention width and block widths)"),
            Map.entry("layer_structure", "hypernetwork: relative layer widths, starting and ending with 1, e.g. 1,2,1"),
            Map.entry("activation", "hypernetwork: activation after each hidden layer: linear (none), relu, "
                    + "leakyrelu, elu, swish (Hardswish), tanh, sigmoid, mish, silu, gelu, ..."),
            Map.entry("weight_init", "hypernetwork: Normal, XavierUniform, XavierNormal, KaimingUniform or "
                    + "KaimingNormal"),
            Map.entry("layer_norm", "hypernetwork: a LayerNorm after every layer"),
            Map.entry("use_dropout", "hypernetwork: apply dropout_structure while training"),
            Map.entry("dropout_structure", "hypernetwork: dropout probability after each layer, starting and "
                    + "ending with 0, e.g. 0,0.3,0 (empty: none)"));

    /** The options of this request in a fixed order: the common keys, then those of its method. */
    public Map<String, String> toOptions() {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("method", method.key());
        o.put("model", model);
        o.put("data", data);
        o.put("output", output);
        o.put("formats", String.join(",", formats));
        o.put("steps", Integer.toString(steps));
        o.put("epochs", Integer.toString(epochs));
        o.put("batch", Integer.toString(batch));
        o.put("gradient_accumulation", Integer.toString(gradientAccumulation));
        o.put("lr", MacroOptions.number(lrUnet));
        o.put("lr_text_encoder", MacroOptions.number(lrTextEncoder));
        o.put("optimizer", "adamw");
        o.put("betas", MacroOptions.number(optimizer.beta1()) + "," + MacroOptions.number(optimizer.beta2()));
        o.put("eps", MacroOptions.number(optimizer.eps()));
        o.put("weight_decay", MacroOptions.number(optimizer.weightDecay()));
        o.put("lr_schedule", lrSchedule);
        o.put("warmup_steps", Integer.toString(warmupSteps));
        o.put("lr_cycles", MacroOptions.number(lrCycles));
        o.put("lr_power", MacroOptions.number(lrPower));
        o.put("seed", Long.toString(seed));
        o.put("prediction_type", predictionType == null ? "model" : predictionType.key());
        o.put("noise_offset", MacroOptions.number(noiseOffset));
        o.put("min_snr_gamma", MacroOptions.number(minSnrGamma));
        o.put("max_grad_norm", MacroOptions.number(maxGradNorm));
        DataOptions d = dataOptions;
        o.put("resolution", Integer.toString(d.resolution()));
        o.put("bucketing", Boolean.toString(d.bucketing()));
        o.put("min_bucket", Integer.toString(d.minBucket()));
        o.put("max_bucket", Integer.toString(d.maxBucket()));
        o.put("bucket_step", Integer.toString(d.bucketStep()));
        o.put("crop", d.crop().key());
        o.put("flip", Boolean.toString(d.flip()));
        o.put("caption_extension", d.captionExtension());
        o.put("template", d.template());
        o.put("shuffle_captions", Boolean.toString(d.shuffleCaptions()));
        o.put("keep_tokens", Integer.toString(d.keepTokens()));
        o.put("caption_dropout", MacroOptions.number(d.captionDropout()));
        o.put("normalise", d.normalise().key());
        o.put("save_every", Integer.toString(saveEvery));
        o.put("sample_every", Integer.toString(sampleEvery));
        o.put("checkpoint_every", Integer.toString(checkpointEvery));
        o.put("sample_prompts", samplePrompts);
        o.put("gradient_checkpointing", gradientCheckpointing);
        switch (method) {
            case LORA -> {
                o.put("rank", Integer.toString(lora.rank()));
                o.put("alpha", MacroOptions.number(lora.alpha()));
                o.put("targets", lora.targets());
                o.put("conv_rank", Integer.toString(lora.convRank()));
                o.put("conv_alpha", MacroOptions.number(lora.convAlpha()));
                o.put("train_text_encoder", Boolean.toString(lora.trainTextEncoder()));
            }
            case TI -> {
                o.put("token", ti.token());
                o.put("init_word", ti.initWord());
                o.put("vectors", Integer.toString(ti.vectors()));
            }
            case DREAMBOOTH -> {
                o.put("class_dir", dreamBooth.classDir());
                o.put("class_prompt", dreamBooth.classPrompt());
                o.put("num_class_images", Integer.toString(dreamBooth.classImages()));
                o.put("prior_loss_weight", MacroOptions.number(dreamBooth.priorWeight()));
                o.put("prior_mode", dreamBooth.priorMode().key());
                o.put("train_text_encoder", Boolean.toString(dreamBooth.trainTextEncoder()));
            }
            case HYPERNETWORK -> {
                o.put("sizes", hypernetwork.sizes());
                o.put("layer_structure", hypernetwork.layerStructure());
                o.put("activation", hypernetwork.activation());
                o.put("weight_init", hypernetwork.weightInit());
                o.put("layer_norm", Boolean.toString(hypernetwork.layerNorm()));
                o.put("use_dropout", Boolean.toString(hypernetwork.useDropout()));
                o.put("dropout_structure", hypernetwork.dropoutStructure());
            }
        }
        return o;
    }

    public String toMacroOptions() {
        return MacroOptions.format(toOptions());
    }

    /** The request a macro option string describes; unknown keys are an error, missing keys take defaults. */
    public static TrainingRequest fromMacroOptions(String text) {
        return fromOptions(MacroOptions.parse(text));
    }

    public static TrainingRequest fromOptions(Map<String, String> options) {
        Method method = Method.of(options.getOrDefault("method", "lora"));
        TrainingRequest base = defaults(method, "-", "-", "");
        Map<String, String> known = base.toOptions();
        List<String> unknown = options.keySet().stream().filter(k -> !known.containsKey(k)).toList();
        if (!unknown.isEmpty()) {
            throw new DiffijException("unknown option '" + unknown.get(0) + "' for method " + method.key()
                    + "; the options are " + String.join(", ", known.keySet()));
        }
        if (options.containsKey("epochs") && !options.containsKey("steps")) {
            known.put("steps", "0");
        }
        Options o = new Options(options, known);
        double[] betas = o.numbers("betas", 2);
        if (!o.text("optimizer").equalsIgnoreCase("adamw")) {
            throw new DiffijException("optimizer must be adamw, not '" + o.text("optimizer") + "'");
        }
        String prediction = o.text("prediction_type");
        DataOptions data = new DataOptions(o.text("caption_extension"), o.text("template"),
                o.bool("shuffle_captions"), o.integer("keep_tokens"), o.decimal("caption_dropout"),
                o.integer("resolution"), o.bool("bucketing"), o.integer("min_bucket"), o.integer("max_bucket"),
                o.integer("bucket_step"), DataOptions.Crop.of(o.text("crop")), o.bool("flip"),
                DataOptions.Normalise.of(o.text("normalise")));
        LoraOptions lora = method != Method.LORA ? LoraOptions.DEFAULTS : new LoraOptions(o.integer("rank"),
                o.decimal("alpha"), o.text("targets"), o.integer("conv_rank"), o.decimal("conv_alpha"),
                o.bool("train_text_encoder"));
        TextualInversionOptions ti = method != Method.TI ? TextualInversionOptions.DEFAULTS
                : new TextualInversionOptions(o.text("token"), o.text("init_word"), o.integer("vectors"));
        DreamBoothOptions dreamBooth = method != Method.DREAMBOOTH ? DreamBoothOptions.DEFAULTS
                : new DreamBoothOptions(o.text("class_dir"), o.text("class_prompt"), o.integer("num_class_images"),
                        o.decimal("prior_loss_weight"), PriorMode.of(o.text("prior_mode")),
                        o.bool("train_text_encoder"));
        HypernetworkOptions hypernetwork = method != Method.HYPERNETWORK ? HypernetworkOptions.DEFAULTS
                : new HypernetworkOptions(o.text("sizes"), o.text("layer_structure"), o.text("activation"),
                        o.text("weight_init"), o.bool("layer_norm"), o.bool("use_dropout"), o.text("dropout_structure"));
        List<String> formats = Arrays.stream(o.text("formats").split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).collect(Collectors.toList());
        return new TrainingRequest(options.getOrDefault("model", ""), method, options.getOrDefault("data", ""), data,
                o.integer("steps"), o.integer("epochs"), o.integer("batch"), o.integer("gradient_accumulation"),
                o.decimal("lr"), o.decimal("lr_text_encoder"),
                new AdamW.Settings(betas[0], betas[1], o.decimal("eps"), o.decimal("weight_decay")),
                o.text("lr_schedule"), o.integer("warmup_steps"), o.decimal("lr_cycles"), o.decimal("lr_power"),
                o.longInteger("seed"), prediction.equals("model") ? null : PredictionType.of(prediction),
                o.decimal("noise_offset"), o.decimal("min_snr_gamma"), o.decimal("max_grad_norm"),
                o.integer("save_every"), o.integer("sample_every"), o.integer("checkpoint_every"),
                o.text("sample_prompts"), lora, ti, dreamBooth, hypernetwork, o.text("output"), formats,
                o.text("gradient_checkpointing")).checkComplete();
    }

    /** The options whose values differ between this request and another, as {@code key} list in order. */
    public List<String> differingKeys(TrainingRequest other) {
        Map<String, String> mine = toOptions();
        Map<String, String> theirs = other.toOptions();
        List<String> keys = new ArrayList<>(mine.keySet());
        theirs.keySet().stream().filter(k -> !mine.containsKey(k)).forEach(keys::add);
        return keys.stream().filter(k -> !Objects.equals(mine.get(k), theirs.get(k))).toList();
    }

    /**
     * Why a checkpoint made under {@code checkpointRequest} may not be resumed with this request, or
     * null when it may: every key that changes what is trained must be equal (cadence, output and
     * memory settings may change).
     */
    public String resumeRefusal(TrainingRequest checkpointRequest) {
        List<String> differing = differingKeys(checkpointRequest).stream().filter(k -> !NOT_IN_RESUME_KEY.contains(k))
                .toList();
        if (differing.isEmpty()) {
            return null;
        }
        Map<String, String> then = checkpointRequest.toOptions();
        Map<String, String> now = toOptions();
        return "resume refused: the checkpoint was made with " + differing.stream()
                .map(k -> k + "=" + then.getOrDefault(k, "(none)")).collect(Collectors.joining(", "))
                + ", this request has " + differing.stream().map(k -> k + "=" + now.getOrDefault(k, "(none)"))
                .collect(Collectors.joining(", "));
    }

    /** Typed reads of given options over the method's defaults, with one-line errors naming the key. */
    private record Options(Map<String, String> given, Map<String, String> defaults) {

        String text(String key) {
            return given.getOrDefault(key, defaults.get(key));
        }

        int integer(String key) {
            String value = text(key).trim();
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                if (value.matches("[+-]?[0-9]+")) {
                    throw new DiffijException(key + " must be a whole number of at most " + Integer.MAX_VALUE
                            + " in size, not " + value);
                }
                throw new DiffijException(key + " must be a whole number, not '" + text(key) + "'");
            }
        }

        long longInteger(String key) {
            try {
                return Long.parseLong(text(key).trim());
            } catch (NumberFormatException e) {
                throw new DiffijException(key + " must be a whole number, not '" + text(key) + "'");
            }
        }

        double decimal(String key) {
            try {
                return Double.parseDouble(text(key).trim());
            } catch (NumberFormatException e) {
                throw new DiffijException(key + " must be a number, not '" + text(key) + "'");
            }
        }

        double[] numbers(String key, int count) {
            String[] parts = text(key).split(",");
            double[] values = new double[parts.length];
            try {
                for (int i = 0; i < parts.length; i++) {
                    values[i] = Double.parseDouble(parts[i].trim());
                }
            } catch (NumberFormatException e) {
                values = new double[0];
            }
            if (values.length != count) {
                throw new DiffijException(key + " must be " + count + " comma-separated numbers, not '" + text(key)
                        + "'");
            }
            return values;
        }

        boolean bool(String key) {
            String value = text(key).trim().toLowerCase(Locale.ROOT);
            return switch (value) {
                case "true", "on", "yes", "1" -> true;
                case "false", "off", "no", "0" -> false;
                default -> throw new DiffijException(key + " must be true or false, not '" + text(key) + "'");
            };
        }
    }
}
