package org.diffij.pipelines;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import org.diffij.DiffijException;
import org.diffij.engine.DiffijEngine;
import org.diffij.engine.EngineSettings;

/**
 * How a generation bounds its working memory (activations, not the cached model weights), read at
 * each run from system properties (Fiji, scripts) or environment variables (command line):
 * {@code diffij.vae.tiling}/{@code DIFFIJ_VAE_TILING} and
 * {@code diffij.attention.slicing}/{@code DIFFIJ_ATTENTION_SLICING} ({@code auto}, {@code on},
 * {@code off}), {@code diffij.vae.tile}/{@code DIFFIJ_VAE_TILE} (the VAE tile edge in latents,
 * default 64 = 512 pixels) and {@code diffij.memory.budget}/{@code DIFFIJ_MEMORY_BUDGET} (a size
 * such as {@code 6g}; default the physical memory less the engine's model cache budget, at least
 * 1 GiB).
 *
 * @param vaeTile     the largest VAE tile edge in latents; neighbours share a quarter of it
 * @param budgetBytes what the estimates of a run's peak working memory are compared with
 */
public record MemorySettings(Mode vaeTiling, int vaeTile, Mode attentionSlicing, long budgetBytes) {

    /** {@code AUTO}: when the estimate exceeds the budget; {@code ON}/{@code OFF}: always / never. */
    public enum Mode { AUTO, ON, OFF }

    private static final long MINIMUM_BUDGET = 1L << 30;
    private static final int DEFAULT_TILE = 64;
    private static final int MIN_TILE = 8;
    private static final int MAX_TILE = 1024;

    public MemorySettings {
        if (budgetBytes <= 0) {
            throw new DiffijException("the memory budget must be positive");
        }
        if (vaeTile < MIN_TILE || vaeTile > MAX_TILE) {
            throw new DiffijException("diffij.vae.tile must be from " + MIN_TILE + " to " + MAX_TILE + " latents, not "
                    + vaeTile);
        }
    }

    public static MemorySettings fromEnvironment() {
        String budget = setting("diffij.memory.budget", "DIFFIJ_MEMORY_BUDGET", "");
        return new MemorySettings(
                mode("diffij.vae.tiling", "DIFFIJ_VAE_TILING"),
                tile(setting("diffij.vae.tile", "DIFFIJ_VAE_TILE", String.valueOf(DEFAULT_TILE))),
                mode("diffij.attention.slicing", "DIFFIJ_ATTENTION_SLICING"),
                budget.isBlank() ? defaultBudget() : EngineSettings.parseBytes(budget));
    }

    private static Mode mode(String property, String variable) {
        String value = setting(property, variable, "auto").trim();
        try {
            return Mode.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new DiffijException(property + " '" + value + "' is not a choice; use auto, on or off");
        }
    }

    private static int tile(String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new DiffijException("diffij.vae.tile must be a number of latents, not '" + text + "'");
        }
    }

    /** The VAE tiles at the configured size: a quarter of the tile shared with each neighbour. */
    public VaeTiling tiling() {
        return new VaeTiling(vaeTile, vaeTile / 4);
    }

    private static String setting(String property, String variable, String fallback) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = System.getenv(variable);
        }
        return value == null || value.isBlank() ? fallback : value;
    }

    /**
     * The physical memory the model cache may not take. Fixed per machine (not the momentarily free
     * memory), so that the same request tiles or not the same way every time and stays reproducible.
     */
    private static long defaultBudget() {
        long cache = DiffijEngine.get().settings().cacheBudgetBytes();
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return Math.max(MINIMUM_BUDGET, os.getTotalMemorySize() - cache);
        }
        return MINIMUM_BUDGET;
    }
}
