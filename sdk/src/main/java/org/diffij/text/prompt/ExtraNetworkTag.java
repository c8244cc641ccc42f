package org.diffij.text.prompt;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.diffij.DiffijException;

/**
 * An A1111 extra-network tag such as {@code <lora:name:0.8>} or {@code <hypernet:name:1.0>}:
 * the kind, the network's name and the remaining {@code :}-separated arguments. The adapters apply
 * them; the prompt that reaches the text encoder has them removed.
 */
public record ExtraNetworkTag(String kind, String name, List<String> arguments) {

    private static final Pattern TAG = Pattern.compile("<(\\w+):([^>]+)>", Pattern.UNICODE_CHARACTER_CLASS);

    public ExtraNetworkTag {
        arguments = List.copyOf(arguments);
    }

    /** The prompt without its tags, and the tags in prompt order. */
    public record Extracted(String prompt, List<ExtraNetworkTag> tags) {
    }

    public static Extracted extract(String prompt) {
        List<ExtraNetworkTag> tags = new ArrayList<>();
        Matcher m = TAG.matcher(prompt);
        StringBuilder rest = new StringBuilder();
        while (m.find()) {
            String[] items = m.group(2).split(":", -1);
            List<String> arguments = new ArrayList<>();
            for (int i = 1; i < items.length; i++) {
                arguments.add(items[i]);
            }
            tags.add(new ExtraNetworkTag(m.group(1), items[0], arguments));
            m.appendReplacement(rest, "");
        }
        m.appendTail(rest);
        return new Extracted(rest.toString(), List.copyOf(tags));
    }

    /**
     * The strength: {@code te=} or the first positional argument (1.0 when absent), which for LoRA
     * is the text-encoder multiplier and the UNet multiplier unless that is given.
     */
    public double multiplier() {
        return number("te", 0, 1.0);
    }

    /** For LoRA: the UNet multiplier, {@code unet=} or the second positional argument, else {@link #multiplier()}. */
    public double unetMultiplier() {
        return number("unet", 1, multiplier());
    }

    /** A named argument ({@code name=value}, as A1111 reads {@code te=}, {@code unet=}), else the positional one. */
    private double number(String named, int position, double fallback) {
        List<String> positional = new ArrayList<>();
        for (String argument : arguments) {
            int equals = argument.indexOf('=');
            if (equals < 0) {
                positional.add(argument);
            } else if (argument.substring(0, equals).trim().equals(named)) {
                return parse(argument.substring(equals + 1));
            }
        }
        if (positional.size() <= position || positional.get(position).isBlank()) {
            return fallback;
        }
        return parse(positional.get(position));
    }

    private double parse(String text) {
        try {
            return Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw new DiffijException("<" + kind + ":" + name + ":" + String.join(":", arguments) + ">: '"
                    + text + "' is not a number; write e.g. <" + kind + ":" + name + ":0.8> or <" + kind + ":" + name
                    + ":te=0.5:unet=1>");
        }
    }
}
