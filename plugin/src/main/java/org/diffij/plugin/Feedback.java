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
            IJ.error(title, wrapped(message));
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
            IJ.showMessage(title, wrapped(text));
        }
    }

    /** Lines a dialog shows without growing wider than the screen: wrapped at spaces after this many characters. */
    static final int DIALOG_COLUMNS = 80;

    /** The text with each line longer than {@link #DIALOG_COLUMNS} broken at its last space before the limit. */
    static String wrapped(String text) {
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (!out.isEmpty()) {
                out.append('\n');
            }
            while (line.length() > DIALOG_COLUMNS) {
                int space = line.lastIndexOf(' ', DIALOG_COLUMNS);
                if (space <= 0) {
                    space = line.indexOf(' ', DIALOG_COLUMNS);
                    if (space < 0) {
                        break;
                    }
                }
                out.append(line, 0, space).append('\n');
                line = line.substring(space + 1);
            }
            out.append(line);
        }
        return out.toString();
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
