package org.diffij.conditioning;

import java.util.stream.IntStream;

/**
 * Splits the rows of an image into horizontal stripes processed in parallel on the common
 * fork-join pool. Small images run on the calling thread: below a few ten thousand pixels the
 * hand-over costs more than the work.
 */
final class Stripes {

    /** Work on the rows {@code [fromRow, toRow)}. */
    @FunctionalInterface
    interface RowRange {
        void run(int fromRow, int toRow);
    }

    private static final long MIN_PIXELS_PER_STRIPE = 32_768;

    private Stripes() {
    }

    static void forEach(int height, int width, RowRange body) {
        long pixels = (long) height * Math.max(width, 1);
        int byWork = (int) Math.min(height, Math.max(1, pixels / MIN_PIXELS_PER_STRIPE));
        int stripes = Math.min(byWork, 4 * Runtime.getRuntime().availableProcessors());
        if (stripes <= 1) {
            body.run(0, height);
            return;
        }
        IntStream.range(0, stripes).parallel().forEach(s -> body.run(
                (int) ((long) height * s / stripes), (int) ((long) height * (s + 1) / stripes)));
    }
}
