package org.diffij.plugin;

import ij.Prefs;
import java.util.LinkedHashMap;
import java.util.Map;
import org.diffij.training.TrainingRequest;

/**
 * The dialog of a training command: one field per {@link TrainingRequest} key of its method, in the
 * request's order and labelled by the key itself, so that the recorded macro line, the provenance
 * in the trained file ({@code diffij.training_request}) and the resume key are the same options.
 * Values are text (numbers keep every digit given, such as {@code 1e-4}); true/false keys are choices.
 */
final class TrainingFields {

    private static final String[] BOOLEAN = {"false", "true"};

    private TrainingFields() {
    }

    /** Declares one field per key of {@code defaults} (the dialog's starting values, in order). */
    static void declare(CommandParameters parameters, Map<String, String> defaults) {
        parameters.addMessage("Keys as in the README's Fiji training table; data: stack:TITLE [slices A-B] [masked], "
                + "rois:TITLE [masked], several joined by ';', or a folder");
        for (Map.Entry<String, String> field : defaults.entrySet()) {
            String value = field.getValue();
            if (isBoolean(value)) {
                parameters.addChoice(field.getKey(), BOOLEAN, value);
            } else {
                parameters.addString(field.getKey(), value, field.getKey().equals("model")
                        || field.getKey().equals("data") || field.getKey().equals("output") ? 40 : 12);
            }
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
