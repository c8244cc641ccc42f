package org.diffij.plugin;

import ij.ImagePlus;
import ij.Prefs;
import java.awt.GraphicsEnvironment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diffij.DiffijException;
import org.diffij.training.DataOptions;
import org.diffij.training.ImageSample;
import org.diffij.training.TrainingRequest;

/**
 * A command training one method: its dialog (or macro options) is the method's {@link TrainingRequest},
 * one field per key ({@link TrainingFields}); the data defaults to the current image
 * ({@code stack:TITLE}), the output to a name after it, placed in the first model folder. Its SciJava
 * twin ({@code org.diffij.plugin.scijava}) builds its request with {@link #request} from the same
 * defaults, so both give the same request for the same keys.
 */
public abstract class MethodTrainingCommand extends TrainingCommand {

    /** The method the command trains. */
    protected abstract TrainingRequest.Method method();

    /** The default data key for the current image (empty when none is open). */
    protected String defaultData(ImagePlus source) {
        return source == null ? "" : TrainingSources.stackOf(source);
    }

    /** The default output: a name (placed in the first model folder) after the current image. */
    protected abstract String defaultOutput(String imageName);

    /**
     * The options the dialog starts from for {@code source} (may be null), in the request's order: the
     * method's defaults, the last model used, the data and output after the image.
     */
    final Map<String, String> defaults(ImagePlus source) {
        String name = source == null ? "concept" : stem(source.getTitle());
        Map<String, String> defaults = TrainingRequest.defaults(method(), "-", "-", defaultOutput(name)).toOptions();
        defaults.remove("method");
        defaults.put("model", Prefs.get(RequestFields.LAST_MODEL, ""));
        defaults.put("data", defaultData(source));
        return defaults;
    }

    /**
     * The request of the {@code given} keys over the dialog's defaults for {@code source}; keys not
     * given keep those defaults, as a macro line's missing keys do.
     */
    public final TrainingRequest request(ImagePlus source, Map<String, String> given) {
        if (given.containsKey("method")) {
            throw new DiffijException("method is given by the command (" + title() + " trains " + method().key()
                    + "): leave the method key out");
        }
        Map<String, String> options = new LinkedHashMap<>();
        options.put("method", method().key());
        options.putAll(defaults(source));
        options.putAll(given);
        return TrainingRequest.fromOptions(options);
    }

    /** The request the dialog (or, without a display, the macro options) gives; null when the dialog was cancelled. */
    final TrainingRequest request(ImagePlus source, CommandParameters parameters) {
        Map<String, String> defaults = defaults(source);
        TrainingFields.declare(parameters, defaults);
        captionsPreview(parameters, defaults.get("data"), source);
        if (!parameters.show()) {
            return null;
        }
        return request(source, TrainingFields.read(parameters, defaults));
    }

    /** The request macro-style options give (as the Recorder writes them), without showing or training anything. */
    public final TrainingRequest request(ImagePlus source, String options) {
        return request(source, CommandParameters.forOptions(title(), options));
    }

    /** Reads the request (showing the dialog where there is one) and trains; null when the dialog was cancelled. */
    @Override
    protected final TrainingOperations.Outcome apply(ImagePlus source, CommandParameters parameters) {
        TrainingRequest request = request(source, parameters);
        return request == null ? null : new TrainingOperations(DiffusionSettings.load()).train(title(), request,
                source);
    }

    /** With a dialog: the first captions the default data gives, so the user sees them before a long run. */
    private static void captionsPreview(CommandParameters parameters, String data, ImagePlus source) {
        if (GraphicsEnvironment.isHeadless() || data.isEmpty()) {
            return;
        }
        try {
            List<String> captions = TrainingSources.samples(data, DataOptions.Normalise.DISPLAY, source).stream()
                    .limit(3).map(ImageSample::caption).toList();
            parameters.addMessage("First captions of " + data + " ([filewords] in a template): "
                    + String.join(" | ", captions));
        } catch (RuntimeException e) {
            parameters.addMessage(e.getMessage());
        }
    }
}
