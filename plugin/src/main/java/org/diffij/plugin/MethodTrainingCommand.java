package org.diffij.plugin;

import ij.ImagePlus;
import java.awt.GraphicsEnvironment;
import java.util.List;
import org.diffij.training.ImageSample;
import org.diffij.training.TrainingRequest;

/**
 * A command training one method: its dialog (or macro options) is the method's {@link TrainingRequest},
 * one field per key ({@link TrainingFields}); the data defaults to the current image
 * ({@code stack:TITLE}), the output to a name after it, placed in the first model folder.
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

    /** Declares the fields, shows the dialog, trains; null when the dialog was cancelled. */
    @Override
    protected final TrainingOperations.Outcome apply(ImagePlus source, CommandParameters parameters) {
        String name = source == null ? "concept" : stem(source.getTitle());
        String data = defaultData(source);
        String[] keys = TrainingFields.declare(parameters, method(), data, defaultOutput(name));
        captionsPreview(parameters, data, source);
        if (!parameters.show()) {
            return null;
        }
        TrainingRequest request = TrainingFields.read(parameters, method(), keys);
        return new TrainingOperations(DiffusionSettings.load()).train(title(), request, source);
    }

    /** With a dialog: the first captions the default data gives, so the user sees them before a long run. */
    private static void captionsPreview(CommandParameters parameters, String data, ImagePlus source) {
        if (GraphicsEnvironment.isHeadless() || data.isEmpty()) {
            return;
        }
        try {
            List<String> captions = TrainingSources.samples(data, source).stream().limit(3)
                    .map(ImageSample::caption).toList();
            parameters.addMessage("First captions of " + data + " ([filewords] in a template): "
                    + String.join(" | ", captions));
        } catch (RuntimeException e) {
            parameters.addMessage(e.getMessage());
        }
    }
}
