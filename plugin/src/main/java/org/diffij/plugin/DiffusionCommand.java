package org.diffij.plugin;

import ij.ImagePlus;
import ij.WindowManager;
import ij.plugin.PlugIn;
import org.diffij.DiffijException;

/**
 * A {@code Plugins > Diffusion} generation command: reads its parameters (dialog or macro options)
 * into a request and hands it to its {@link Operations} method (which the SciJava commands call too),
 * and shows the result, a NEW image carrying its {@link Provenance}. Source images are never modified. A problem is reported in one
 * clear message (dialog with a display, log headless); Esc cancels with a status message.
 */
public abstract class DiffusionCommand implements PlugIn {

    /** The menu label, also the dialog title and the prefix of messages. */
    protected abstract String title();

    /** Whether the command works on the current image. */
    protected abstract boolean needsImage();

    /**
     * Declares the parameters, shows the dialog, runs the generation; returns the new image, or null
     * when the dialog was cancelled. {@code source} is the current image (null when none).
     */
    protected abstract ImagePlus generate(ImagePlus source, CommandParameters parameters, Operations operations);

    @Override
    public final void run(String arg) {
        ImagePlus source = WindowManager.getCurrentImage();
        Feedback.guarded(title(), () -> {
            ImagePlus result = apply(source, CommandParameters.forCurrentRun(title()));
            if (result != null) {
                Feedback.show(result);
            }
        });
    }

    /**
     * Runs on {@code source} with macro-style options (as the Recorder writes them); returns the new
     * image without showing it.
     */
    public final ImagePlus apply(ImagePlus source, String options) {
        return apply(source, CommandParameters.forOptions(title(), options));
    }

    private ImagePlus apply(ImagePlus source, CommandParameters parameters) {
        if (needsImage() && source == null) {
            throw new DiffijException("no image is open: open the image to work on first");
        }
        return generate(source, parameters, new Operations(DiffusionSettings.load()));
    }
}
