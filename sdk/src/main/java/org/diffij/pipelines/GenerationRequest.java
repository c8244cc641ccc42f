package org.diffij.pipelines;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.diffij.DiffijException;
import org.diffij.schedulers.Samplers;

/**
 * Everything that determines a generated image, and nothing else: the one job description that is
 * at once the macro string ({@link #toMacroOptions()}), the provenance record written on results
 * ({@link Infotext}) and the cache key ({@link #cacheKey()}). Immutable and validated on creation,
 * where the two conveniences every front end offers are settled, so that the command line, Fiji and
 * scripts behave the same: seed {@value #RANDOM_SEED} draws a seed (which the request then records),
 * and sizes are rounded to the nearest multiple of 8 ({@link #notes} says what changed).
 *
 * @param model          the model as the user named it (folder, file, or name in the model folders)
 * @param modelHash      SHA-256 of the model's weights (hex), empty until the pipeline has resolved the model
 * @param strength       how much of the init image is re-noised (1 = text-to-image / full inpaint)
 * @param initImage      where the init image came from (a file or an ImageJ window title), empty for none
 * @param mask           where the inpainting mask came from, empty for none
 * @param clipSkip       1 = last text-encoder layer (A1111 "Clip skip")
 * @param noise          which random numbers the seed gives: {@code cpu} (torch CPU randn, diffusers and
 *                       ComfyUI) or {@code gpu} (A1111's default Philox noise)
 * @param imagePrompt    the IP-Adapter image prompt, or null for none
 * @param onlyMaskedPadding {@value #WHOLE_PICTURE} to inpaint the whole picture at the generation size;
 *                       otherwise A1111's "inpaint area: only masked": the mask's bounding box grown by
 *                       this many pixels is generated at the generation size and pasted back
 * @param batchPosition  {@value #ALL_IMAGES} for every image of the batch; 1..batch size for only that
 *                       image of it (what one image of a batch records, so that it is reproduced exactly:
 *                       the batch is drawn and computed as it was, and that image kept)
 * @param loraHashes     A1111's short hashes ({@value #SHORT_HASH_DIGITS} hex digits, see
 *                       {@link org.diffij.io.ModelHash#ofLora}) of the LoRAs the prompt and the adapter list
 *                       name, by name without ':' and ',' (as A1111's {@code Lora hashes} key writes them);
 *                       empty until the pipeline has resolved the adapters, as the model hash is
 * @param vae            a separate VAE replacing the model's own (a file or folder as the user named it, as
 *                       A1111's VAE selection and diffusers' {@code vae=}), empty for the model's own
 * @param vaeHash        SHA-256 of that VAE's weights (hex), empty until the pipeline has resolved it
 * @param embeddingHashes A1111's short hashes ({@value #SHORT_HASH_DIGITS} hex digits of the file's SHA-256, as
 *                       A1111 hashes an embedding file) of the textual-inversion embeddings the prompts call and
 *                       the adapter list names, by token without ':' and ',' (A1111's {@code TI hashes} key);
 *                       empty until the pipeline has resolved them
 */
public record GenerationRequest(String model, String modelHash, String prompt, String negativePrompt, String sampler,
        int steps, double cfgScale, long seed, int width, int height, int batchSize, double strength,
        String initImage, String mask, List<Control> controls, List<Adapter> adapters, int clipSkip, String noise,
        IpAdapterPrompt imagePrompt, int onlyMaskedPadding, int batchPosition, Map<String, String> loraHashes,
        String vae, String vaeHash, Map<String, String> embeddingHashes) {

    public static final int MAX_SIDE = 4096;
    public static final int MAX_STEPS = 1000;
    public static final int MAX_BATCH = 64;
    /** The seed that asks for a random one. */
    public static final long RANDOM_SEED = -1;
    /** {@link #onlyMaskedPadding} of a request that inpaints the whole picture. */
    public static final int WHOLE_PICTURE = -1;
    /** {@link #batchPosition} of a request that keeps every image of its batch. */
    public static final int ALL_IMAGES = 0;
    /** How many hex digits of a LoRA's or an embedding's hash A1111 records and looks the file up by. */
    public static final int SHORT_HASH_DIGITS = 12;

    public GenerationRequest {
        model = text(model);
        modelHash = text(modelHash);
        vae = text(vae);
        vaeHash = text(vaeHash);
        prompt = text(prompt);
        negativePrompt = text(negativePrompt);
        sampler = text(sampler);
        initImage = text(initImage);
        mask = text(mask);
        noise = text(noise).isEmpty() ? "cpu" : noise.toLowerCase(Locale.ROOT);
        controls = List.copyOf(controls == null ? List.of() : controls);
        adapters = List.copyOf(adapters == null ? List.of() : adapters);
        loraHashes = checkedHashes(HashKind.LORA, loraHashes);
        embeddingHashes = checkedHashes(HashKind.EMBEDDING, embeddingHashes);
        if (model.isBlank()) {
            throw new DiffijException("no model given: name a diffusers folder or a .safetensors checkpoint");
        }
        if (sampler.isBlank()) {
            throw new DiffijException("no sampler given, e.g. \"DPM++ 2M Karras\" or \"Euler a\"");
        }
        if (Samplers.names().stream().anyMatch(sampler.strip()::equalsIgnoreCase)) {
            // The table's spelling, so that provenance and A1111 read one name ("euler a" is "Euler a").
            sampler = Samplers.lookup(sampler).name();
        }
        if (steps < 1 || steps > MAX_STEPS) {
            throw new DiffijException("steps must be 1.." + MAX_STEPS + ", not " + steps);
        }
        if (!(cfgScale >= 0 && cfgScale <= 100)) {
            throw new DiffijException("CFG scale must lie in 0..100, not " + cfgScale);
        }
        if (seed == RANDOM_SEED) {
            seed = ThreadLocalRandom.current().nextLong(1L << 32);
        }
        if (seed < 0) {
            throw new DiffijException("seed must be 0 or positive, or " + RANDOM_SEED + " for a random seed, not "
                    + seed);
        }
        width = roundedSide("width", width);
        height = roundedSide("height", height);
        if (batchSize < 1 || batchSize > MAX_BATCH) {
            throw new DiffijException("batch size must be 1.." + MAX_BATCH + ", not " + batchSize);
        }
        if (!(strength > 0 && strength <= 1)) {
            throw new DiffijException("denoising strength must lie in (0, 1], not " + strength);
        }
        if (strength < 1 && initImage.isEmpty()) {
            throw new DiffijException("a denoising strength below 1 needs an init image");
        }
        if (!mask.isEmpty() && initImage.isEmpty()) {
            throw new DiffijException("an inpainting mask needs an init image to paint into");
        }
        if (clipSkip < 1 || clipSkip > 12) {
            throw new DiffijException("clip skip must be 1..12, not " + clipSkip);
        }
        if (!noise.equals("cpu") && !noise.equals("gpu")) {
            throw new DiffijException("noise must be cpu or gpu, not '" + noise + "'");
        }
        if (onlyMaskedPadding < WHOLE_PICTURE || onlyMaskedPadding > MAX_SIDE) {
            throw new DiffijException("the only-masked padding must be 0.." + MAX_SIDE + " pixels (or "
                    + WHOLE_PICTURE + " to inpaint the whole picture), not " + onlyMaskedPadding);
        }
        if (onlyMaskedPadding != WHOLE_PICTURE && mask.isEmpty()) {
            throw new DiffijException("'inpaint area: only masked' needs a mask");
        }
        if (batchPosition < ALL_IMAGES || batchPosition > batchSize) {
            throw new DiffijException("batch position must be 1.." + batchSize + " (the batch size), or "
                    + ALL_IMAGES + " for every image, not " + batchPosition);
        }
    }

    /** The files whose short hashes a request records, as A1111's infotext keys name them. */
    enum HashKind {
        LORA("a LoRA hash", "Lora hashes"), EMBEDDING("an embedding hash", "TI hashes");

        private final String what;
        private final String key;

        HashKind(String what, String key) {
            this.what = what;
            this.key = key;
        }

        /** A1111's infotext key listing them. */
        String key() {
            return key;
        }
    }

    /** The hashes by A1111's name of each file (its own without ':' and ','), checked to be hex, in order. */
    private static Map<String, String> checkedHashes(HashKind kind, Map<String, String> byName) {
        Map<String, String> hashes = new LinkedHashMap<>();
        if (byName != null) {
            byName.forEach((name, hash) -> {
                String alias = name.replace(":", "").replace(",", "").strip();
                if (alias.isEmpty() || hash == null || !hash.strip().matches("[0-9a-fA-F]{1,64}")) {
                    throw new DiffijException(kind.what + " is 'name: hex digits', not '" + name + ": " + hash
                            + "'; correct or remove the " + kind.key + " entry");
                }
                hashes.put(alias, hash.strip().toLowerCase(Locale.ROOT));
            });
        }
        return Collections.unmodifiableMap(hashes);
    }

    /** Short hashes as A1111's {@code Lora hashes} and {@code TI hashes} values: {@code name: hash, name: hash}. */
    static String hashList(Map<String, String> hashes) {
        return hashes.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining(", "));
    }

    /** The hashes an A1111 {@code Lora hashes} or {@code TI hashes} value lists; names hold no ',' or ':' there. */
    static Map<String, String> parseHashList(HashKind kind, String list) {
        Map<String, String> hashes = new LinkedHashMap<>();
        for (String entry : list == null || list.isBlank() ? new String[0] : list.split(",")) {
            int colon = entry.indexOf(':');
            if (colon < 0) {
                throw new DiffijException("a " + kind.key + " entry is 'name: hash', not '" + entry.strip() + "'");
            }
            hashes.put(entry.substring(0, colon), entry.substring(colon + 1));
        }
        return hashes;
    }

    private static String text(String value) {
        return value == null ? "" : value;
    }

    private static int roundedSide(String name, int value) {
        if (value < 8 || value > MAX_SIDE) {
            throw new DiffijException(name + " must be 8.." + MAX_SIDE + " pixels, not " + value);
        }
        return Math.round(value / 8f) * 8;
    }

    /**
     * What this request made of the values it was asked for, one line each, for the front end to
     * show: the drawn seed, sizes rounded to multiples of 8. Empty when it took them as they were.
     */
    public List<String> notes(long askedSeed, int askedWidth, int askedHeight) {
        List<String> notes = new ArrayList<>();
        if (askedSeed == RANDOM_SEED) {
            notes.add("random seed " + seed);
        }
        for (String side : List.of("width", "height")) {
            int asked = side.equals("width") ? askedWidth : askedHeight;
            int made = side.equals("width") ? width : height;
            if (asked != made) {
                notes.add(side + " " + asked + " rounded to " + made
                        + " (the model works on multiples of 8; images are resized to it, not cropped)");
            }
        }
        return notes;
    }

    /** A request with the defaults users expect; set what differs with the {@code with...} methods. */
    public static GenerationRequest of(String model, String prompt) {
        return new GenerationRequest(model, "", prompt, "", "DPM++ 2M Karras", 25, 7, 0, 512, 512, 1, 1, "", "",
                List.of(), List.of(), 1, "cpu", null, WHOLE_PICTURE, ALL_IMAGES, Map.of(), "", "", Map.of());
    }

    public boolean isImageToImage() {
        return !initImage.isEmpty();
    }

    /** Whether only the mask's surroundings are generated (A1111's "inpaint area: only masked"). */
    public boolean isOnlyMasked() {
        return onlyMaskedPadding != WHOLE_PICTURE;
    }

    /**
     * The seed that image {@code index} (0-based) of the batch gets on its own: seed + index with
     * per-image ({@code gpu}) noise, as A1111 records it; the batch's seed with {@code cpu} noise,
     * which one generator draws for the whole batch.
     */
    public long imageSeed(int index) {
        return noise.equals("gpu") ? seed + index : seed;
    }

    /**
     * The request that reproduces exactly image {@code index} (0-based) of this request's results:
     * the same batch with that position kept. A request for one image already is that request.
     */
    public GenerationRequest forImage(int index) {
        if (batchPosition != ALL_IMAGES || batchSize == 1) {
            return this;
        }
        return new GenerationRequest(model, modelHash, prompt, negativePrompt, sampler, steps, cfgScale, seed, width,
                height, batchSize, strength, initImage, mask, controls, adapters, clipSkip, noise, imagePrompt,
                onlyMaskedPadding, index + 1, loraHashes, vae, vaeHash, embeddingHashes);
    }

    /** This request inpainting only around the mask, with {@code padding} pixels ({@value #WHOLE_PICTURE}: the whole picture). */
    public GenerationRequest withOnlyMasked(int padding) {
        return new GenerationRequest(model, modelHash, prompt, negativePrompt, sampler, steps, cfgScale, seed, width,
                height, batchSize, strength, initImage, mask, controls, adapters, clipSkip, noise, imagePrompt,
                padding, batchPosition, loraHashes, vae, vaeHash, embeddingHashes);
    }

    public GenerationRequest withModelHash(String hash) {
        return new GenerationRequest(model, hash, prompt, negativePrompt, sampler, steps, cfgScale, seed, width, height,
                batchSize, strength, initImage, mask, controls, adapters, clipSkip, noise, imagePrompt,
                onlyMaskedPadding, batchPosition, loraHashes, vae, vaeHash, embeddingHashes);
    }

    /** This request with the LoRA hashes by name (each shortened to {@value #SHORT_HASH_DIGITS} digits). */
    public GenerationRequest withLoraHashes(Map<String, String> hashes) {
        return new GenerationRequest(model, modelHash, prompt, negativePrompt, sampler, steps, cfgScale, seed, width,
                height, batchSize, strength, initImage, mask, controls, adapters, clipSkip, noise, imagePrompt,
                onlyMaskedPadding, batchPosition, shortened(hashes), vae, vaeHash, embeddingHashes);
    }

    /** This request with the embedding hashes by token (each shortened to {@value #SHORT_HASH_DIGITS} digits). */
    public GenerationRequest withEmbeddingHashes(Map<String, String> hashes) {
        return new GenerationRequest(model, modelHash, prompt, negativePrompt, sampler, steps, cfgScale, seed, width,
                height, batchSize, strength, initImage, mask, controls, adapters, clipSkip, noise, imagePrompt,
                onlyMaskedPadding, batchPosition, loraHashes, vae, vaeHash, shortened(hashes));
    }

    /** A1111's short hashes: the first {@value #SHORT_HASH_DIGITS} digits of each. */
    private static Map<String, String> shortened(Map<String, String> hashes) {
        Map<String, String> shortened = new LinkedHashMap<>();
        hashes.forEach((name, hash) -> shortened.put(name, hash.substring(0, Math.min(SHORT_HASH_DIGITS,
                hash.length()))));
        return shortened;
    }

    /** This request decoding with a separate VAE (a file, folder, name or repo id; empty: the model's own). */
    public GenerationRequest withVae(String vae) {
        return new GenerationRequest(model, modelHash, prompt, negativePrompt, sampler, steps, cfgScale, seed, width,
                height, batchSize, strength, initImage, mask, controls, adapters, clipSkip, noise, imagePrompt,
                onlyMaskedPadding, batchPosition, loraHashes, vae, "", embeddingHashes);
    }

    public GenerationRequest withVaeHash(String hash) {
        return new GenerationRequest(model, modelHash, prompt, negativePrompt, sampler, steps, cfgScale, seed, width,
                height, batchSize, strength, initImage, mask, controls, adapters, clipSkip, noise, imagePrompt,
                onlyMaskedPadding, batchPosition, loraHashes, vae, hash, embeddingHashes);
    }

    public GenerationRequest withPrompt(String prompt) {
        return new GenerationRequest(model, modelHash, prompt, negativePrompt, sampler, steps, cfgScale, seed, width,
                height, batchSize, strength, initImage, mask, controls, adapters, clipSkip, noise, imagePrompt,
                onlyMaskedPadding, batchPosition, loraHashes, vae, vaeHash, embeddingHashes);
    }

    public GenerationRequest withNegativePrompt(String negative) {
        return new GenerationRequest(model, modelHash, prompt, negative, sampler, steps, cfgScale, seed, width, height,
                batchSize, strength, initImage, mask, controls, adapters, clipSkip, noise, imagePrompt,
                onlyMaskedPadding, batchPosition, loraHashes, vae, vaeHash, embeddingHashes);
    }

    public GenerationRequest withSampling(String sampler, int steps, double cfgScale) {
        return new GenerationRequest(model, modelHash, prompt, negativePrompt, sampler, steps, cfgScale, seed, width,
                height, batchSize, strength, initImage, mask, controls, adapters, clipSkip, noise, imagePrompt,
                onlyMaskedPadding, batchPosition, loraHashes, vae, vaeHash, embeddingHashes);
    }

    public GenerationRequest withSeed(long seed) {
        return new GenerationRequest(model, modelHash, prompt, negativePrompt, sampler, steps, cfgScale, seed, width,
                height, batchSize, strength, initImage, mask, controls, adapters, clipSkip, noise, imagePrompt,
                onlyMaskedPadding, batchPosition, loraHashes, vae, vaeHash, embeddingHashes);
    }

    public GenerationRequest withSize(int width, int height, int batchSize) {
        return new GenerationRequest(model, modelHash, prompt, negativePrompt, sampler, steps, cfgScale, seed, width,
                height, batchSize, strength, initImage, mask, controls, adapters, clipSkip, noise, imagePrompt,
                onlyMaskedPadding, batchPosition, loraHashes, vae, vaeHash, embeddingHashes);
    }

    public GenerationRequest withInit(String initImage, String mask, double strength) {
        return new GenerationRequest(model, modelHash, prompt, negativePrompt, sampler, steps, cfgScale, seed, width,
                height, batchSize, strength, initImage, mask, controls, adapters, clipSkip, noise, imagePrompt,
                onlyMaskedPadding, batchPosition, loraHashes, vae, vaeHash, embeddingHashes);
    }

    public GenerationRequest withControls(List<Control> controls) {
        return new GenerationRequest(model, modelHash, prompt, negativePrompt, sampler, steps, cfgScale, seed, width,
                height, batchSize, strength, initImage, mask, controls, adapters, clipSkip, noise, imagePrompt,
                onlyMaskedPadding, batchPosition, loraHashes, vae, vaeHash, embeddingHashes);
    }

    public GenerationRequest withAdapters(List<Adapter> adapters) {
        return new GenerationRequest(model, modelHash, prompt, negativePrompt, sampler, steps, cfgScale, seed, width,
                height, batchSize, strength, initImage, mask, controls, adapters, clipSkip, noise, imagePrompt,
                onlyMaskedPadding, batchPosition, loraHashes, vae, vaeHash, embeddingHashes);
    }

    public GenerationRequest withClipSkip(int clipSkip, String noise) {
        return new GenerationRequest(model, modelHash, prompt, negativePrompt, sampler, steps, cfgScale, seed, width,
                height, batchSize, strength, initImage, mask, controls, adapters, clipSkip, noise, imagePrompt,
                onlyMaskedPadding, batchPosition, loraHashes, vae, vaeHash, embeddingHashes);
    }

    public GenerationRequest withImagePrompt(IpAdapterPrompt imagePrompt) {
        return new GenerationRequest(model, modelHash, prompt, negativePrompt, sampler, steps, cfgScale, seed, width,
                height, batchSize, strength, initImage, mask, controls, adapters, clipSkip, noise, imagePrompt,
                onlyMaskedPadding, batchPosition, loraHashes, vae, vaeHash, embeddingHashes);
    }

    /** The ImageJ macro options of this request, the keys documented in the README, in a fixed order. */
    public String toMacroOptions() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("model", model);
        options.put("prompt", prompt);
        options.put("negative", negativePrompt);
        options.put("sampler", sampler);
        options.put("steps", Integer.toString(steps));
        options.put("cfg", number(cfgScale));
        options.put("seed", Long.toString(seed));
        options.put("width", Integer.toString(width));
        options.put("height", Integer.toString(height));
        options.put("batch", Integer.toString(batchSize));
        if (isImageToImage()) {
            options.put("init", initImage);
            options.put("strength", number(strength));
        }
        if (!mask.isEmpty()) {
            options.put("mask", mask);
        }
        if (!controls.isEmpty()) {
            options.put("controls", controls.stream().map(c -> String.join("|", c.type(), c.model(), c.image(),
                    number(c.scale()), number(c.start()), number(c.end()))).collect(Collectors.joining(";")));
        }
        if (!adapters.isEmpty()) {
            options.put("adapters", adapters.stream().map(a -> a.kind().tag() + "|" + a.name() + "|" + number(a.weight()))
                    .collect(Collectors.joining(";")));
        }
        if (imagePrompt != null) {
            options.put("ip_adapter", String.join("|", imagePrompt.adapter(), imagePrompt.image(),
                    number(imagePrompt.scale())));
        }
        if (clipSkip != 1) {
            options.put("clip_skip", Integer.toString(clipSkip));
        }
        if (!noise.equals("cpu")) {
            options.put("noise", noise);
        }
        if (isOnlyMasked()) {
            options.put("only_masked_padding", Integer.toString(onlyMaskedPadding));
        }
        if (batchPosition != ALL_IMAGES) {
            options.put("batch_position", Integer.toString(batchPosition));
        }
        if (!modelHash.isEmpty()) {
            options.put("model_sha256", modelHash);
        }
        if (!loraHashes.isEmpty()) {
            options.put("lora_hashes", hashList(loraHashes));
        }
        if (!embeddingHashes.isEmpty()) {
            options.put("ti_hashes", hashList(embeddingHashes));
        }
        if (!vae.isEmpty()) {
            options.put("vae", vae);
        }
        if (!vaeHash.isEmpty()) {
            options.put("vae_sha256", vaeHash);
        }
        return MacroOptions.format(options);
    }

    /** The request a macro option string describes; unknown keys are an error, missing keys take defaults. */
    public static GenerationRequest fromMacroOptions(String text) {
        Map<String, String> o = MacroOptions.parse(text);
        List<String> known = List.of("model", "prompt", "negative", "sampler", "steps", "cfg", "seed", "width", "height",
                "batch", "init", "strength", "mask", "controls", "adapters", "ip_adapter", "clip_skip", "noise", "only_masked_padding", "batch_position",
                "model_sha256", "lora_hashes", "ti_hashes", "vae",
                "vae_sha256");
        for (String key : o.keySet()) {
            if (!known.contains(key)) {
                throw new DiffijException("unknown option '" + key + "'; the options are " + String.join(", ", known));
            }
        }
        GenerationRequest defaults = of("-", "");
        List<Control> controls = new ArrayList<>();
        for (String spec : list(o.get("controls"))) {
            String[] f = spec.split("\\|", -1);
            if (f.length != 6) {
                throw new DiffijException("a control is type|model|image|scale|start|end, not '" + spec + "'");
            }
            controls.add(new Control(f[0], f[1], f[2], decimal("control scale", f[3]), decimal("control start", f[4]),
                    decimal("control end", f[5])));
        }
        List<Adapter> adapters = new ArrayList<>();
        for (String spec : list(o.get("adapters"))) {
            String[] f = spec.split("\\|", -1);
            if (f.length != 3) {
                throw new DiffijException("an adapter is kind|name|weight, not '" + spec + "'");
            }
            adapters.add(new Adapter(Adapter.Kind.parse(f[0]), f[1], decimal("adapter weight", f[2])));
        }
        IpAdapterPrompt imagePrompt = null;
        String ipAdapter = o.get("ip_adapter");
        if (ipAdapter != null && !ipAdapter.isBlank()) {
            String[] f = ipAdapter.split("\\|", -1);
            if (f.length != 3) {
                throw new DiffijException("ip_adapter is file|image|scale, not '" + ipAdapter + "'");
            }
            imagePrompt = new IpAdapterPrompt(f[0], f[1], decimal("IP-Adapter scale", f[2]));
        }
        return new GenerationRequest(o.getOrDefault("model", ""), o.getOrDefault("model_sha256", ""),
                o.getOrDefault("prompt", ""), o.getOrDefault("negative", ""),
                o.getOrDefault("sampler", defaults.sampler()), integer("steps", o, defaults.steps()),
                decimal("cfg", o.getOrDefault("cfg", number(defaults.cfgScale()))),
                longInteger("seed", o.getOrDefault("seed", "0")), integer("width", o, defaults.width()),
                integer("height", o, defaults.height()), integer("batch", o, 1),
                decimal("strength", o.getOrDefault("strength", "1")), o.getOrDefault("init", ""),
                o.getOrDefault("mask", ""), controls, adapters, integer("clip_skip", o, 1), o.getOrDefault("noise", "cpu"),
                imagePrompt, integer("only_masked_padding", o, WHOLE_PICTURE), integer("batch_position", o, ALL_IMAGES),
                parseHashList(HashKind.LORA, o.get("lora_hashes")), o.getOrDefault("vae", ""),
                o.getOrDefault("vae_sha256", ""), parseHashList(HashKind.EMBEDDING, o.get("ti_hashes")));
    }

    /** A stable key: two requests with the same key produce the same pixels. */
    public String cacheKey() {
        return toMacroOptions();
    }

    private static List<String> list(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return List.of(value.split(";"));
    }

    static String number(double value) {
        return MacroOptions.number(value);
    }

    private static int integer(String key, Map<String, String> options, int fallback) {
        String value = options.get(key);
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new DiffijException(key + " must be a whole number, not '" + value + "'");
        }
    }

    static long longInteger(String key, String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new DiffijException(key + " must be a whole number, not '" + value + "'");
        }
    }

    static double decimal(String key, String value) {
        try {
            return Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new DiffijException(key + " must be a number, not '" + value + "'");
        }
    }
}
