package org.diffij.plugin;

import ij.ImagePlus;
import ij.WindowManager;
import ij.plugin.PlugIn;
import java.awt.GraphicsEnvironment;
import java.util.Arrays;

/**
 * A {@code Plugins > Diffusion > Train} command: reads its parameters (dialog or macro options) and
 * trains through {@link TrainingOperations}; the loss plot and validation images are shown at the end
 * (headless they become the current image), and problems are one message ({@link Feedback#guarded}).
 */
public abstract class TrainingCommand implements PlugIn {

    /** The menu label, also the dialog title and the prefix of messages. */
    protected abstract String title();

    @Override
    public final void run(String arg) {
        ImagePlus source = WindowManager.getCurrentImage();
        Feedback.guarded(title(), () -> {
            TrainingOperations.Outcome outcome = apply(source, CommandParameters.forCurrentRun(title()));
            if (outcome != null) {
                show(outcome);
            }
        });
    }

    /** Runs with macro-style options (as the Recorder writes them) without showing anything. */
    public final TrainingOperations.Outcome apply(ImagePlus source, String options) {
        return apply(source, CommandParameters.forOptions(title(), options));
    }

    /** Reads the parameters (showing the dialog where there is one) and trains; null when the dialog was cancelled. */
    protected abstract TrainingOperations.Outcome apply(ImagePlus source, CommandParameters parameters);

    /** The loss plot (headless; with a display it is shown live) and the validation images. */
    static void show(TrainingOperations.Outcome outcome) {
        if (GraphicsEnvironment.isHeadless()) {
            Feedback.show(outcome.lossPlot());
        }
        if (outcome.samples() != null) {
            Feedback.show(outcome.samples());
        }
    }

    static String stem(String title) {
        String name = title.contains(".") ? title.substring(0, title.lastIndexOf('.')) : title;
        return Arrays.stream(name.split("[^A-Za-z0-9_-]+")).filter(s -> !s.isEmpty())
                .reduce((a, b) -> a + "-" + b).orElse("concept");
    }
}
