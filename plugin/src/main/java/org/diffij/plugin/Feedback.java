package org.diffij.plugin;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.macro.Interpreter;
import java.awt.GraphicsEnvironment;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.diffij.DiffijException;
import org.diffij.engine.JobCancelledException;

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

    /**
     * Runs a command's work the way every command reports its outcome: a cancel as a status message,
     * a user error as one {@link #report}ed line, anything else as a one-line report with the stack
     * trace in the Log for a bug report.
     */
    static void guarded(String title, Runnable work) {
        try {
            work.run();
        } catch (JobCancelledException e) {
            IJ.showStatus(title + ": cancelled");
            IJ.log(title + ": cancelled");
        } catch (DiffijException e) {
            report(title, e.getMessage());
        } catch (RuntimeException e) {
            report(title, "failed unexpectedly: " + e + " (details in the Log window)");
            StringWriter text = new StringWriter();
            e.printStackTrace(new PrintWriter(text));
            IJ.log(title + " failed:\n" + text);
        }
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
