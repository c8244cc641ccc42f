package org.diffij.plugin;

import ij.IJ;
import java.awt.event.KeyEvent;
import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * Presses Esc (as ImageJ sees it) the moment a line containing a given text is logged, to stop a
 * training run at a known step without a display: headless, ImageJ's Log is standard output, and a
 * run stops after the step it is in when Esc is seen.
 */
public final class EscapeOnLog {

    private EscapeOnLog() {
    }

    /** Runs {@code action} with Esc pressed once {@code text} is logged; Esc and the console are reset afterwards. */
    public static <T> T pressWhenLogged(String text, Supplier<T> action) {
        PrintStream console = System.out;
        System.setOut(new PrintStream(console, true) {
            @Override
            public void println(String line) {
                super.println(line);
                if (line != null && line.contains(text)) {
                    IJ.setKeyDown(KeyEvent.VK_ESCAPE);
                }
            }
        });
        try {
            return action.get();
        } finally {
            System.setOut(console);
            IJ.resetEscape();
        }
    }
}
