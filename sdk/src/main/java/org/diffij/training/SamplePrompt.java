package org.diffij.training;

import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.diffij.DiffijException;
import org.diffij.pipelines.GenerationRequest;

/**
 * kohya sd-scripts' sample-prompt lines ({@code a cat --n bad hands --w 512 --h 512 --d 42 --l 7.5
 * --s 20 --ss euler_a}): the prompt, then options each introduced by {@code " --"}: {@code n}
 * negative prompt, {@code w}/{@code h} size, {@code d} seed, {@code l} CFG scale, {@code s} steps,
 * {@code ss} sampler (kohya's names, mapped to A1111's). Missing options take kohya's defaults
 * (512x512, 30 steps, scale 7.5, DDIM) and the run's seed.
 */
public final class SamplePrompt {

    /** kohya's sampler names by the A1111 sampler they are. */
    private static final Map<String, String> SAMPLERS = Map.ofEntries(
            Map.entry("ddim", "DDIM"), Map.entry("pndm", "PLMS"), Map.entry("lms", "LMS"), Map.entry("k_lms", "LMS"),
            Map.entry("euler", "Euler"), Map.entry("k_euler", "Euler"), Map.entry("euler_a", "Euler a"),
            Map.entry("k_euler_a", "Euler a"), Map.entry("heun", "Heun"), Map.entry("dpmsolver++", "DPM++ 2M"),
            Map.entry("dpmsolver", "DPM++ 2M"), Map.entry("ddpm", "DDPM"), Map.entry("unipc", "UniPC"));

    private SamplePrompt() {
    }

    /** The generation a prompt line describes, on {@code model}; {@code seed} when the line gives none. */
    public static GenerationRequest parse(String line, String model, long seed) {
        String[] parts = (" " + line.strip()).split(" --");
        String prompt = parts[0].strip();
        if (prompt.isEmpty()) {
            throw new DiffijException("sample prompt '" + line + "' has no prompt before its options");
        }
        String negative = "";
        int width = 512;
        int height = 512;
        int steps = 30;
        double scale = 7.5;
        String sampler = "DDIM";
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i].strip();
            int space = part.indexOf(' ');
            String key = (space < 0 ? part : part.substring(0, space)).toLowerCase(Locale.ROOT);
            String value = space < 0 ? "" : part.substring(space + 1).strip();
            switch (key) {
                case "n" -> negative = value;
                case "w" -> width = whole(line, key, value);
                case "h" -> height = whole(line, key, value);
                case "d" -> seed = whole(line, key, value);
                case "s" -> steps = whole(line, key, value);
                case "l" -> scale = decimal(line, key, value);
                case "ss" -> {
                    sampler = SAMPLERS.get(value.toLowerCase(Locale.ROOT));
                    if (sampler == null) {
                        throw new DiffijException("sample prompt '" + line + "': unknown sampler '" + value
                                + "'; use one of " + String.join(", ", new TreeSet<>(SAMPLERS.keySet())));
                    }
                }
                default -> throw new DiffijException("sample prompt '" + line + "': unknown option --" + key
                        + "; the options are --n --w --h --d --l --s --ss");
            }
        }
        return GenerationRequest.of(model, prompt).withNegativePrompt(negative).withSize(width, height, 1)
                .withSeed(seed).withSampling(sampler, steps, scale);
    }

    private static int whole(String line, String key, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new DiffijException("sample prompt '" + line + "': --" + key + " needs a whole number, not '" + value
                    + "'");
        }
    }

    private static double decimal(String line, String key, String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new DiffijException("sample prompt '" + line + "': --" + key + " needs a number, not '" + value + "'");
        }
    }
}
