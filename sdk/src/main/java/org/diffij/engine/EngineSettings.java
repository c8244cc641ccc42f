package org.diffij.engine;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import org.diffij.DiffijException;

/**
 * How the engine runs: given by the program ({@link DiffijEngine#configure}, e.g. from Fiji's
 * settings) or, by default, read once at start from system properties (scripts) or environment
 * variables (command line): {@code diffij.device}/{@code DIFFIJ_DEVICE} ({@code auto}, {@code cpu},
 * {@code gpu}, {@code gpu:N}), {@code diffij.threads}/{@code DIFFIJ_THREADS} (intra-op threads,
 * 0 = libtorch's default) and {@code diffij.cache.budget}/{@code DIFFIJ_CACHE_BUDGET} (model cache
 * size such as {@code 8g}; default half the physical memory).
 */
public record EngineSettings(String device, int threads, long cacheBudgetBytes) {

    public static EngineSettings fromEnvironment() {
        return of(setting("diffij.device", "DIFFIJ_DEVICE", "auto"),
                parseThreads(setting("diffij.threads", "DIFFIJ_THREADS", "0")),
                setting("diffij.cache.budget", "DIFFIJ_CACHE_BUDGET", ""));
    }

    /**
     * Settings as users write them.
     *
     * @param cacheBudget a size such as {@code 8g}; blank = half the physical memory
     */
    public static EngineSettings of(String device, int threads, String cacheBudget) {
        if (threads < 0 || threads > 1024) {
            throw new DiffijException("threads must be from 0 to 1024, not " + threads + " (0 uses libtorch's "
                    + "default)");
        }
        long bytes = cacheBudget == null || cacheBudget.isBlank() ? defaultBudget() : parseBytes(cacheBudget);
        return new EngineSettings(device.trim().toLowerCase(Locale.ROOT), threads, bytes);
    }

    private static String setting(String property, String variable, String fallback) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = System.getenv(variable);
        }
        return value == null || value.isBlank() ? fallback : value;
    }

    private static int parseThreads(String text) {
        try {
            int threads = Integer.parseInt(text.trim());
            if (threads < 0 || threads > 1024) {
                throw new NumberFormatException();
            }
            return threads;
        } catch (NumberFormatException e) {
            throw new DiffijException("diffij.threads must be a number of threads from 0 to 1024, not '" + text
                    + "' (0 uses libtorch's default)");
        }
    }

    /** Parses sizes such as {@code 512m}, {@code 8g}, {@code 8GiB} or a plain byte count. */
    public static long parseBytes(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT).replace("ib", "").replace("b", "");
        long unit = 1;
        if (t.endsWith("k") || t.endsWith("m") || t.endsWith("g") || t.endsWith("t")) {
            unit = switch (t.charAt(t.length() - 1)) {
                case 'k' -> 1L << 10;
                case 'm' -> 1L << 20;
                case 'g' -> 1L << 30;
                default -> 1L << 40;
            };
            t = t.substring(0, t.length() - 1);
        }
        try {
            double value = Double.parseDouble(t.trim());
            if (value <= 0 || Double.isNaN(value) || Double.isInfinite(value)) {
                throw new NumberFormatException();
            }
            return (long) (value * unit);
        } catch (NumberFormatException e) {
            throw new DiffijException("'" + text + "' is not a memory size; write e.g. 8g or 512m");
        }
    }

    private static long defaultBudget() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize() / 2;
        }
        return 4L << 30;
    }
}
