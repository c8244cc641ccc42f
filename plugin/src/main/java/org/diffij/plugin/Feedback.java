package org.diffij.plugin;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.macro.Interpreter;
import java.awt.GraphicsEnvironment;

/** How commands show results and report problems, with a display and without. */
final class Feedback {

    private Feedback() {
    }

    /**
     * With a display: ImageJ's error dialog (which also aborts a running macro). Headless, where that
     * dialog cannot open: the message goes to the log (standard output) and a running macro is aborted.
     */
    static void report(String title, String message) {
        if (!GraphicsEnvironment.isHeadless()) {
            IJ.error(title, message);
            return;
        }
        IJ.log(title + ": " + message);
        Interpreter.abort();
    }

    /** A message to read (not an error): a message box with a display, the log headless. */
    static void message(String title, String text) {
        if (GraphicsEnvironment.isHeadless()) {
            IJ.log(title + ": " + text);
        } else {
            IJ.showMessage(title, text);
        }
    }

    /** Shows a new image; headless outside batch mode (where it cannot be shown) it becomes the current image. */
    static void show(ImagePlus image) {
        if (GraphicsEnvironment.isHeadless() && !Interpreter.isBatchMode()) {
            WindowManager.setTempCurrentImage(image);
        } else {
            image.show();
        }
    }
}
