package org.diffij.models;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.diffij.DiffijException;

/**
 * Typed, range-checked access to a diffusers or transformers {@code config.json}: defaults for
 * absent keys, per-level values given either as one number or as a list, and one message naming
 * the model and key for anything of the wrong type, out of range, malformed or unsupported. Every
 * value a model reads passes through here, so that a hostile config fails when it is read, never
 * as an arithmetic or allocation error while the model is built.
 */
public final class ConfigReader {

    /** The widest channel or hidden dimension accepted; real models stay at or below 2,048. */
    public static final int MAX_WIDTH = 16_384;
    /** The most resolution levels of a UNet or VAE (real ones have 3 or 4). */
    public static final int MAX_LEVELS = 8;
    /** The most layers per block or transformer layers per block (SDXL's deepest is 10). */
    public static final int MAX_DEPTH = 64;

    private final JsonObject json;
    /** What messages start with: the file, or the model with "config.json". */
    private final String file;

    /** {@code what} names the config in messages: a component folder or model name, or the JSON file itself. */
    public ConfigReader(JsonObject json, String what) {
        if (json == null) {
            throw new DiffijException(what + ": config.json is missing");
        }
        this.json = json;
        this.file = what.endsWith(".json") ? what + ":" : what + ": config.json";
    }

    private JsonElement value(String key) {
        JsonElement v = json.get(key);
        return v == null || v.isJsonNull() ? null : v;
    }

    public boolean has(String key) {
        return value(key) != null;
    }

    public int integer(String key, int fallback) {
        return integer(key, fallback, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /** A whole number in {@code min..max}, or the fallback when absent. */
    public int integer(String key, int fallback, int min, int max) {
        JsonElement v = value(key);
        return v == null ? fallback : wholeNumber(key, v, min, max);
    }

    public int requiredInteger(String key) {
        return requiredInteger(key, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    public int requiredInteger(String key, int min, int max) {
        if (!has(key)) {
            throw new DiffijException(file + " lacks \"" + key + "\"");
        }
        return integer(key, 0, min, max);
    }

    public float number(String key, float fallback) {
        return number(key, fallback, -Float.MAX_VALUE, Float.MAX_VALUE);
    }

    /** A finite number in {@code min..max}, or the fallback when absent. */
    public float number(String key, float fallback, float min, float max) {
        return (float) real(key, fallback, min, max);
    }

    /** {@link #number(String, float, float, float)} in double precision (e.g. epsilons read as Python floats). */
    public double real(String key, double fallback, double min, double max) {
        JsonElement v = value(key);
        if (v == null) {
            return fallback;
        }
        if (!isNumber(v)) {
            throw bad(key, "a number");
        }
        double d = v.getAsDouble();
        if (!(d >= min && d <= max)) {
            throw outOfRange(key, v, min, max);
        }
        return d;
    }

    public boolean bool(String key, boolean fallback) {
        JsonElement v = value(key);
        if (v == null) {
            return fallback;
        }
        if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isBoolean()) {
            throw bad(key, "true or false");
        }
        return v.getAsBoolean();
    }

    /** A string, or null when absent or null. */
    public String string(String key) {
        JsonElement v = value(key);
        if (v == null) {
            return null;
        }
        if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
            throw bad(key, "a string");
        }
        return v.getAsString();
    }

    /** A non-empty list of strings. */
    public List<String> strings(String key) {
        JsonElement v = value(key);
        if (v == null || !v.isJsonArray() || v.getAsJsonArray().isEmpty()) {
            throw bad(key, "a non-empty list of names");
        }
        List<String> out = new ArrayList<>();
        for (JsonElement element : v.getAsJsonArray()) {
            if (!element.isJsonPrimitive() || !element.getAsJsonPrimitive().isString()) {
                throw bad(key, "a list of names (strings)");
            }
            out.add(element.getAsString());
        }
        return List.copyOf(out);
    }

    public int[] integers(String key) {
        return integers(key, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /** A non-empty list of whole numbers, each in {@code min..max}. */
    public int[] integers(String key, int min, int max) {
        JsonElement v = value(key);
        if (v == null || !v.isJsonArray() || v.getAsJsonArray().isEmpty()) {
            throw bad(key, "a non-empty list of whole numbers");
        }
        JsonArray array = v.getAsJsonArray();
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = wholeNumber(key, array.get(i), min, max);
        }
        return out;
    }

    public int[] perLevel(String key, int levels, int fallback) {
        return perLevel(key, levels, fallback, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /** One value per level, each in {@code min..max}: a single number repeated, or a list of exactly {@code levels}. */
    public int[] perLevel(String key, int levels, int fallback, int min, int max) {
        JsonElement v = value(key);
        int[] out = new int[levels];
        if (v == null) {
            Arrays.fill(out, fallback);
            return out;
        }
        if (v.isJsonArray()) {
            int[] list = integers(key, min, max);
            if (list.length != levels) {
                throw new DiffijException(file + " \"" + key + "\" has " + list.length
                        + " values but the model has " + levels + " levels");
            }
            return list;
        }
        Arrays.fill(out, integer(key, fallback, min, max));
        return out;
    }

    /** Fails unless the key is absent, null or one of the supported values. */
    public void requireOneOf(String key, String... supported) {
        String v = value(key) == null ? null : value(key).toString().replace("\"", "");
        if (v == null) {
            return;
        }
        for (String s : supported) {
            if (s.equals(v)) {
                return;
            }
        }
        throw new DiffijException(file + " \"" + key + "\" = " + v + " is not supported ("
                + (supported.length == 0 ? "only null is" : "supported: " + String.join(", ", supported)) + ")");
    }

    /** Fails with {@code problem} (what is inconsistent, in words) unless {@code consistent}. */
    public void require(boolean consistent, String problem) {
        if (!consistent) {
            throw new DiffijException(file + " " + problem);
        }
    }

    /**
     * Fails when {@code parameters} float32 values (the config's estimate of its model) cannot fit in
     * this machine's memory, before anything is allocated for them.
     */
    public void requireFits(double parameters) {
        long available = physicalMemory();
        double bytes = parameters * Float.BYTES;
        if (bytes > available) {
            throw new DiffijException(file + " describes a model of about "
                    + String.format(Locale.ROOT, "%,.0f", parameters / 1e6) + " million parameters ("
                    + gib(bytes) + " in float32), more than this machine's " + gib(available)
                    + " of memory; the config is wrong or the model too large for this machine");
        }
    }

    private static long physicalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return Runtime.getRuntime().maxMemory();
    }

    private static String gib(double bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (1L << 30));
    }

    private int wholeNumber(String key, JsonElement v, int min, int max) {
        if (!isNumber(v)) {
            throw bad(key, "a whole number");
        }
        double d = v.getAsDouble();
        if (d != Math.rint(d)) {
            throw bad(key, "a whole number");
        }
        if (!(d >= min && d <= max)) {
            throw outOfRange(key, v, min, max);
        }
        return (int) d;
    }

    private static boolean isNumber(JsonElement v) {
        if (!v.isJsonPrimitive()) {
            return false;
        }
        JsonPrimitive p = v.getAsJsonPrimitive();
        return p.isNumber() && Double.isFinite(p.getAsDouble());
    }

    private DiffijException outOfRange(String key, JsonElement found, double min, double max) {
        String range = max >= Integer.MAX_VALUE ? "at least " + format(min) : format(min) + ".." + format(max);
        return new DiffijException(file + " \"" + key + "\" = " + shown(found) + " is out of range (" + range
                + ")");
    }

    private static String format(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }

    private DiffijException bad(String key, String expected) {
        return new DiffijException(file + " \"" + key + "\" should be " + expected + ", found "
                + shown(json.get(key)));
    }

    /** A value as it appears in the file, cut short: hostile configs hold megabytes in one key. */
    private static String shown(JsonElement value) {
        String text = String.valueOf(value);
        return text.length() <= 60 ? text : text.substring(0, 60) + "...";
    }
}
