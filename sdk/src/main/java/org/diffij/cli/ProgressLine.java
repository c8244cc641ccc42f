package org.diffij.cli;

import java.io.PrintWriter;
import java.util.Locale;

/** A download's progress on one terminal line, rewritten in place: file, bytes, rate and time left. */
final class ProgressLine {

    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintWriter out;
    private long lastDraw;
    private boolean drawn;
    private String last = "";

    ProgressLine(PrintWriter out) {
        this.out = out;
    }

    void update(String file, long done, long total, double bytesPerSecond) {
        long now = System.nanoTime();
        if (drawn && now - lastDraw < REDRAW_NANOS && done < total) {
            return;
        }
        lastDraw = now;
        String eta = bytesPerSecond <= 0 || done >= total ? "" : "ETA " + duration((total - done) / bytesPerSecond);
        String line = String.format(Locale.ROOT, "%s  %s / %s  %s/s  %s", file, megabytes(done), megabytes(total),
                megabytes((long) bytesPerSecond), eta);
        // Pads over the longer line before it, so no characters of it remain.
        out.print("\r" + line + " ".repeat(Math.max(0, last.length() - line.length())));
        out.flush();
        last = line;
        drawn = true;
    }

    void finish() {
        if (drawn) {
            out.println();
        }
    }

    static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
