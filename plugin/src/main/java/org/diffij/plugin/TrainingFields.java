package org.diffij.plugin;

import ij.Prefs;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.diffij.training.TrainingRequest;

/**
 * The dialog of a training command: one field per {@link TrainingRequest} key of its method, in the
 * request's order and labelled by the key itself, so that the recorded macro line, the provenance
 * in the trained file ({@code diffij.training_request}) and the resume key are the same options.
 * Values are text (numbers keep every digit given, such as {@code 1e-4}); true/false keys are choices.
 */
final class TrainingFields {

    private static final String[] BOOLEAN = {"false", "true"};

    /** The keys whose values are paths, data descriptions or prompts: each a wide field on a row of its own. */
    private static final Set<String> WIDE = Set.of("model", "data", "output", "template", "sample_prompts",
            "class_dir", "class_prompt");

    /**
     * Fields per row, but for the wide ones: a method has some 45 keys, which one per row would put
     * the OK button below the bottom of an 800- or 1080-pixel-high screen. GenericDialog puts a
     * field beside another only when the other is at most {@value #NARROW} columns wide.
     */
    private static final int PER_ROW = 3;

    private static final int NARROW = 8;

    private TrainingFields() {
    }

    /** Declares one field per key of {@code defaults} (the dialog's starting values, in order). */
    static void declare(CommandParameters parameters, Map<String, String> defaults) {
        parameters.addMessage("Keys as in the README's Fiji training table; data: stack:TITLE [slices A-B] [masked], "
                + "rois:TITLE [masked], several joined by ';', or a folder");
        int inRow = 0;
        for (Map.Entry<String, String> field : defaults.entrySet()) {
            String value = field.getValue();
            boolean wide = WIDE.contains(field.getKey());
            if (wide || inRow == PER_ROW) {
                inRow = 0;
            }
            if (inRow > 0) {
                parameters.addToSameRow();
            }
            if (isBoolean(value)) {
                parameters.addChoice(field.getKey(), BOOLEAN, value);
            } else {
                parameters.addString(field.getKey(), value, wide ? 40 : NARROW);
            }
            inRow = wide ? PER_ROW : inRow + 1;
        }
    }

    /**
     * Reads the fields {@link #declare} declared back as options, in the same order; a model given
     * becomes the dialogs' last model.
     */
    static Map<String, String> read(CommandParameters parameters, Map<String, String> defaults) {
        Map<String, String> options = new LinkedHashMap<>();
        for (Map.Entry<String, String> field : defaults.entrySet()) {
            options.put(field.getKey(), isBoolean(field.getValue()) ? parameters.nextChoice()
                    : parameters.nextString().strip());
        }
        if (!options.get("model").isEmpty()) {
            Prefs.set(RequestFields.LAST_MODEL, options.get("model"));
        }
        return options;
    }

    private static boolean isBoolean(String value) {
        return value.equals("true") || value.equals("false");
    }
}
