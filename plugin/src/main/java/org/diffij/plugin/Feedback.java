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
            IJ.error(title, wrapped(message));
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
