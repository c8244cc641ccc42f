package org.diffij.pipelines;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.diffij.DiffijException;
import org.diffij.schedulers.Samplers;

/**
 * A1111's "parameters" text (PNG info): the prompt, a {@code Negative prompt:} line, then one line of
 * {@code Key: value} pairs. Values with commas, colons or newlines are JSON-quoted, as A1111 does, so
 * A1111, ComfyUI and civitai read what Diffij writes, and Diffij reads what they write.
 */
public final class Infotext {

    private static final Gson GSON = new Gson();
    private static final Pattern PAIR = Pattern.compile("\\s*([\\w][\\w \\-/]*):\\s*(\"(?:\\\\.|[^\\\\\"])*\"|[^,]*)(?:,|$)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)x(\\d+)");

    private Infotext() {
    }

    /** A1111's samplers whose "Automatic" schedule is Karras: their plain form is written "Uniform". */
    private static final List<String> KARRAS_BY_DEFAULT = List.of("DPM++ 2M", "DPM++ 2M SDE");
    private static final String KARRAS = " Karras";
    /** The key of Diffij's own sampler name where A1111 has none (diffusers class names). */
    private static final String DIFFIJ_SAMPLER = "Diffij sampler";
    /** A1111's inpainting keys: their presence says a mask was used, which A1111 does not name. */
    private static final List<String> INPAINT_KEYS = List.of("Mask blur", "Masked content", "Inpaint area");

    public static String format(GenerationRequest r, String version) {
        StringBuilder text = new StringBuilder(r.prompt());
        // LoRAs of the request's adapter list are written as A1111 calls LoRAs: tags in the prompt.
        for (Adapter a : r.adapters()) {
            if (a.kind() == Adapter.Kind.LORA) {
                text.append(text.isEmpty() ? "" : " ").append("<lora:").append(a.name()).append(':')
                        .append(GenerationRequest.number(a.weight()));
                if (a.unetWeight() != a.weight()) {
                    text.append(':').append(GenerationRequest.number(a.unetWeight()));
                }
                text.append('>');
            }
        }
        if (!r.negativePrompt().isEmpty()) {
            text.append("\nNegative prompt: ").append(r.negativePrompt());
        }
        Map<String, String> pairs = new LinkedHashMap<>();
        pairs.put("Steps", Integer.toString(r.steps()));
        putSampler(pairs, r.sampler());
        pairs.put("CFG scale", GenerationRequest.number(r.cfgScale()));
        // One image of a batch records its own seed and place, as A1111 does (Batch pos counts from 0).
        boolean oneOfBatch = r.batchPosition() != GenerationRequest.ALL_IMAGES;
        pairs.put("Seed", Long.toString(oneOfBatch ? r.imageSeed(r.batchPosition() - 1) : r.seed()));
        pairs.put("Size", r.width() + "x" + r.height());
        if (!r.modelHash().isEmpty()) {
            pairs.put("Model hash", r.modelHash().substring(0, Math.min(10, r.modelHash().length())));
        }
        pairs.put("Model", r.model());
        // A1111's keys of the VAE selected in its settings: the first 10 hex digits of its SHA-256 and its name.
        if (!r.vaeHash().isEmpty()) {
            pairs.put("VAE hash", r.vaeHash().substring(0, Math.min(10, r.vaeHash().length())));
        }
        if (!r.vae().isEmpty()) {
            pairs.put("VAE", r.vae());
        }
        if (r.isImageToImage()) {
            pairs.put("Denoising strength", GenerationRequest.number(r.strength()));
            pairs.put("Init image", r.initImage());
        }
        if (!r.mask().isEmpty()) {
            pairs.put("Mask", r.mask());
            pairs.put("Masked content", "original");
            pairs.put("Inpaint area", r.isOnlyMasked() ? "Only masked" : "Whole picture");
            if (r.isOnlyMasked()) {
                pairs.put("Masked area padding", Integer.toString(r.onlyMaskedPadding()));
            }
        }
        if (r.clipSkip() != 1) {
            pairs.put("Clip skip", Integer.toString(r.clipSkip()));
        }
        pairs.put("RNG", r.noise().toUpperCase(Locale.ROOT));
        if (r.batchSize() != 1) {
            pairs.put("Batch size", Integer.toString(r.batchSize()));
            if (oneOfBatch) {
                pairs.put("Batch pos", Integer.toString(r.batchPosition() - 1));
            }
        }
        // The sd-webui-controlnet extension's unit format; the control image is already a map, so its
        // preprocessor is none; Diffij's control type and image follow as keys of their own.
        for (int i = 0; i < r.controls().size(); i++) {
            Control c = r.controls().get(i);
            pairs.put("ControlNet " + i, "Module: none, Model: " + c.model() + ", Weight: "
                    + GenerationRequest.number(c.scale()) + ", Resize Mode: Crop and Resize, Low Vram: False, "
                    + "Guidance Start: " + GenerationRequest.number(c.start()) + ", Guidance End: "
                    + GenerationRequest.number(c.end()) + ", Pixel Perfect: False, Control Mode: Balanced, Type: "
                    + c.type() + ", Image: " + c.image());
        }
        List<Adapter> others = r.adapters().stream().filter(a -> a.kind() != Adapter.Kind.LORA).toList();
        for (int i = 0; i < others.size(); i++) {
            Adapter a = others.get(i);
            pairs.put("Adapter " + i, a.kind().tag() + ": " + a.name() + ": " + GenerationRequest.number(a.weight()));
        }
        // A1111's own fields for the hypernetwork it applies outside the prompt (its readers turn them
        // into a <hypernet:name:strength> tag; Diffij reads its Adapter entries instead).
        r.adapters().stream().filter(a -> a.kind() == Adapter.Kind.HYPERNET).findFirst().ifPresent(a -> {
            pairs.put("Hypernet", a.name());
            if (a.weight() != 1) {
                pairs.put("Hypernet strength", GenerationRequest.number(a.weight()));
            }
        });
        if (r.imagePrompt() != null) {
            IpAdapterPrompt ip = r.imagePrompt();
            pairs.put("IP-Adapter", "file: " + ip.adapter() + ", image: " + ip.image() + ", scale: "
                    + GenerationRequest.number(ip.scale()));
        }
        // A1111's extra-network key: it finds each LoRA by this short hash when the text is pasted back.
        if (!r.loraHashes().isEmpty()) {
            pairs.put(GenerationRequest.HashKind.LORA.key(), GenerationRequest.hashList(r.loraHashes()));
        }
        // Likewise for the textual-inversion embeddings the prompts called.
        if (!r.embeddingHashes().isEmpty()) {
            pairs.put(GenerationRequest.HashKind.EMBEDDING.key(), GenerationRequest.hashList(r.embeddingHashes()));
        }
        if (!r.modelHash().isEmpty()) {
            pairs.put("Model sha256", r.modelHash());
        }
        if (!r.vaeHash().isEmpty()) {
            pairs.put("VAE sha256", r.vaeHash());
        }
        pairs.put("Version", version);
        text.append('\n');
        boolean first = true;
        for (Map.Entry<String, String> pair : pairs.entrySet()) {
            text.append(first ? "" : ", ").append(pair.getKey()).append(": ").append(quote(pair.getValue()));
            first = false;
        }
        return text.toString();
    }

    /**
     * A1111's sampler keys (1.9 and later): the sampler without its schedule, and {@code Schedule type}
     * where the schedule is not the sampler's automatic one; a diffusers class name is written as the
     * nearest A1111 sampler with Diffij's own name beside it.
     */
    private static void putSampler(Map<String, String> pairs, String sampler) {
        if (!Samplers.isA1111(sampler)) {
            pairs.put("Sampler", Samplers.a1111Name(sampler));
            pairs.put(DIFFIJ_SAMPLER, sampler);
        } else if (sampler.endsWith(KARRAS)) {
            pairs.put("Sampler", sampler.substring(0, sampler.length() - KARRAS.length()));
            pairs.put("Schedule type", "Karras");
        } else {
            pairs.put("Sampler", sampler);
            if (KARRAS_BY_DEFAULT.contains(sampler)) {
                pairs.put("Schedule type", "Uniform");
            }
        }
    }

    /** The sampler the sampler keys name, as {@link #putSampler} writes them and as A1111 writes them. */
    private static String sampler(Map<String, String> pairs) {
        if (pairs.containsKey(DIFFIJ_SAMPLER)) {
            return pairs.get(DIFFIJ_SAMPLER);
        }
        String sampler = pairs.getOrDefault("Sampler", "");
        String schedule = pairs.get("Schedule type");
        boolean diffij = pairs.getOrDefault("Version", "").startsWith("Diffij");
        boolean karras = "Karras".equals(schedule) || (schedule == null || schedule.equals("Automatic"))
                && KARRAS_BY_DEFAULT.contains(sampler) && !(diffij && schedule == null);
        return karras && !sampler.endsWith(KARRAS) ? sampler + KARRAS : sampler;
    }

    private static String quote(String value) {
        if (value.indexOf(',') < 0 && value.indexOf('\n') < 0 && value.indexOf(':') < 0) {
            return value;
        }
        return GSON.toJson(value);
    }

    /** The key/value pairs of the last line, unquoted, in order. */
    public static Map<String, String> pairs(String infotext) {
        String[] lines = infotext.strip().split("\n");
        return parsePairs(lines[lines.length - 1]);
    }

    private static Map<String, String> parsePairs(String line) {
        Map<String, String> pairs = new LinkedHashMap<>();
        Matcher m = PAIR.matcher(line);
        while (m.find()) {
            String value = m.group(2).strip();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                try {
                    value = GSON.fromJson(value, String.class);
                } catch (JsonParseException e) {
                    throw new DiffijException("the parameters text has a badly quoted value for " + m.group(1));
                }
            }
            pairs.put(m.group(1).strip(), value);
        }
        return pairs;
    }

    /** Reads a parameters text back into a request (A1111's or Diffij's). */
    public static GenerationRequest parse(String infotext) {
        String[] lines = infotext.replace("\r\n", "\n").strip().split("\n");
        if (lines.length < 2 || !lines[lines.length - 1].contains("Steps:")) {
            throw new DiffijException("this is not a generation parameters text: its last line has no 'Steps:'");
        }
        Map<String, String> pairs = parsePairs(lines[lines.length - 1]);
        StringBuilder prompt = new StringBuilder();
        StringBuilder negative = new StringBuilder();
        boolean inNegative = false;
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i];
            if (line.startsWith("Negative prompt:")) {
                inNegative = true;
                line = line.substring("Negative prompt:".length()).strip();
            }
            StringBuilder target = inNegative ? negative : prompt;
            if (!target.isEmpty()) {
                target.append('\n');
            }
            target.append(line);
        }
        Matcher size = SIZE.matcher(pairs.getOrDefault("Size", "512x512"));
        if (!size.matches()) {
            throw new DiffijException("the parameters text has a size that is not WxH: " + pairs.get("Size"));
        }
        List<Control> controls = new ArrayList<>();
        List<Adapter> adapters = new ArrayList<>();
        for (Map.Entry<String, String> pair : pairs.entrySet()) {
            if (pair.getKey().startsWith("ControlNet ")) {
                Map<String, String> c = parsePairs(pair.getValue());
                controls.add(new Control(c.getOrDefault("Type", c.getOrDefault("Module", "none")),
                        c.getOrDefault("Model", "none"),
                        c.getOrDefault("Image", "unknown"), GenerationRequest.decimal("Weight", c.getOrDefault("Weight",
                                "1")), GenerationRequest.decimal("Guidance Start", c.getOrDefault("Guidance Start", "0")),
                        GenerationRequest.decimal("Guidance End", c.getOrDefault("Guidance End", "1"))));
            } else if (pair.getKey().startsWith("Adapter ")) {
                String[] f = pair.getValue().split(": ", 3);
                if (f.length != 3) {
                    throw new DiffijException("an adapter entry is 'kind: name: weight', not '" + pair.getValue() + "'");
                }
                adapters.add(new Adapter(Adapter.Kind.parse(f[0]), f[1], GenerationRequest.decimal("adapter weight",
                        f[2])));
            }
        }
        if (pairs.containsKey("Hypernet") && adapters.stream().noneMatch(a -> a.kind() == Adapter.Kind.HYPERNET)) {
            adapters.add(new Adapter(Adapter.Kind.HYPERNET, pairs.get("Hypernet"), GenerationRequest.decimal(
                    "Hypernet strength", pairs.getOrDefault("Hypernet strength", "1"))));
        }
        IpAdapterPrompt imagePrompt = null;
        if (pairs.containsKey("IP-Adapter")) {
            Map<String, String> ip = parsePairs(pairs.get("IP-Adapter"));
            imagePrompt = new IpAdapterPrompt(ip.getOrDefault("file", ""), ip.getOrDefault("image", "unknown"),
                    GenerationRequest.decimal("IP-Adapter scale", ip.getOrDefault("scale",
                            GenerationRequest.number(IpAdapterPrompt.DEFAULT_SCALE))));
        }
        // A1111 only writes RNG when it is not its default GPU noise.
        String noise = pairs.getOrDefault("RNG", "GPU").toLowerCase(Locale.ROOT);
        int batchPosition = pairs.containsKey("Batch pos")
                ? (int) GenerationRequest.longInteger("Batch pos", pairs.get("Batch pos")) + 1 : GenerationRequest.ALL_IMAGES;
        long seed = GenerationRequest.longInteger("Seed", pairs.getOrDefault("Seed", "0"));
        if (batchPosition != GenerationRequest.ALL_IMAGES && noise.equals("gpu")) {
            // The image's own seed is the batch's seed + its position.
            seed -= batchPosition - 1;
        }
        int onlyMaskedPadding = "Only masked".equals(pairs.get("Inpaint area"))
                ? (int) GenerationRequest.longInteger("Masked area padding", pairs.getOrDefault("Masked area padding",
                        "32")) : GenerationRequest.WHOLE_PICTURE;
        return new GenerationRequest(pairs.getOrDefault("Model", ""), pairs.getOrDefault("Model sha256", ""),
                prompt.toString(), negative.toString(), sampler(pairs),
                (int) GenerationRequest.longInteger("Steps", pairs.get("Steps")),
                GenerationRequest.decimal("CFG scale", pairs.getOrDefault("CFG scale", "7")),
                seed, Integer.parseInt(size.group(1)), Integer.parseInt(size.group(2)),
                (int) GenerationRequest.longInteger("Batch size", pairs.getOrDefault("Batch size", "1")),
                GenerationRequest.decimal("Denoising strength", pairs.getOrDefault("Denoising strength", "1")),
                pairs.getOrDefault("Init image", pairs.containsKey("Denoising strength") ? "unknown" : ""),
                pairs.getOrDefault("Mask", INPAINT_KEYS.stream().anyMatch(pairs::containsKey) ? "unknown" : ""),
                controls, adapters,
                (int) GenerationRequest.longInteger("Clip skip", pairs.getOrDefault("Clip skip", "1")), noise,
                imagePrompt, onlyMaskedPadding, batchPosition,
                GenerationRequest.parseHashList(GenerationRequest.HashKind.LORA,
                        pairs.get(GenerationRequest.HashKind.LORA.key())), pairs.getOrDefault("VAE", ""),
                pairs.getOrDefault("VAE sha256", ""), GenerationRequest.parseHashList(
                        GenerationRequest.HashKind.EMBEDDING, pairs.get(GenerationRequest.HashKind.EMBEDDING.key())));
    }
}
