package org.diffij.training;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Caption rules: A1111's template and file words, kohya's tag shuffling and caption dropout. */
final class Captions {

    /** A1111 strips leading numbers and dashes from a file name used as caption ({@code 00012-cat} → {@code cat}). */
    private static final Pattern NUMBERS_AT_START = Pattern.compile("^[-\\d]+\\s*");

    private Captions() {
    }

    static String fileWords(String fileStem) {
        return NUMBERS_AT_START.matcher(fileStem).replaceFirst("");
    }

    /** A1111's template: {@code [name]} is the concept's name, {@code [filewords]} the image's own caption. */
    static String applyTemplate(String template, String name, String fileWords) {
        if (template.isEmpty()) {
            return fileWords;
        }
        return template.replace("[name]", name).replace("[filewords]", fileWords);
    }

    /**
     * kohya's per-sample caption processing: with probability {@code dropout} the empty caption; else with
     * {@code shuffle} the comma-separated tags after the first {@code keepTokens} shuffled.
     */
    static String process(String caption, DataOptions options, Random random) {
        if (options.captionDropout() > 0 && random.nextDouble() < options.captionDropout()) {
            return "";
        }
        if (!options.shuffleCaptions()) {
            return caption;
        }
        List<String> tags = Arrays.stream(caption.strip().split(",")).map(String::strip)
                .collect(Collectors.toCollection(ArrayList::new));
        int keep = Math.min(options.keepTokens(), tags.size());
        List<String> rest = new ArrayList<>(tags.subList(keep, tags.size()));
        Collections.shuffle(rest, random);
        List<String> result = new ArrayList<>(tags.subList(0, keep));
        result.addAll(rest);
        return String.join(", ", result);
    }
}
