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

    /**
     * Declares the fields with the method's defaults, the last model used, {@code data} and
     * {@code output} as the defaults of those keys, and returns the keys in order.
     */
    static String[] declare(CommandParameters parameters, TrainingRequest.Method method, String data, String output) {
        Map<String, String> defaults = TrainingRequest.defaults(method, "-", "-", output).toOptions();
        defaults.remove("method");
        defaults.put("model", Prefs.get(RequestFields.LAST_MODEL, ""));
        defaults.put("data", data);
        parameters.addMessage("Keys as in the README's Fiji training table; data: stack:TITLE [slices A-B] [masked], "
                + "rois:TITLE [masked], several joined by ';', or a folder");
        for (Map.Entry<String, String> field : defaults.entrySet()) {
            String value = field.getValue();
            if (value.equals("true") || value.equals("false")) {
                parameters.addChoice(field.getKey(), BOOLEAN, value);
            } else {
                parameters.addString(field.getKey(), value, field.getKey().equals("model")
                        || field.getKey().equals("data") || field.getKey().equals("output") ? 40 : 12);
            }
        }
        return defaults.keySet().toArray(String[]::new);
    }

    /** Reads the declared fields back into the method's request. */
    static TrainingRequest read(CommandParameters parameters, TrainingRequest.Method method, String[] keys) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("method", method.key());
        Map<String, String> defaults = TrainingRequest.defaults(method, "-", "-", "").toOptions();
        for (String key : keys) {
            String value = defaults.get(key) != null && (defaults.get(key).equals("true")
                    || defaults.get(key).equals("false")) ? parameters.nextChoice() : parameters.nextString().strip();
            options.put(key, value);
        }
        if (!options.get("model").isEmpty()) {
            Prefs.set(RequestFields.LAST_MODEL, options.get("model"));
        }
        return TrainingRequest.fromOptions(options);
    }
}
