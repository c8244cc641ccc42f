package org.diffij.models;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Arrays;
import java.util.List;
import org.diffij.DiffijException;

/**
 * Typed access to a diffusers {@code config.json}: defaults for absent keys, per-level values given
 * either as one number or as a list, and a clear error for anything malformed or unsupported.
 */
public final class ConfigReader {

    private final JsonObject json;
    private final String what;

    public ConfigReader(JsonObject json, String what) {
        if (json == null) {
            throw new DiffijException(what + ": config.json is missing");
        }
        this.json = json;
        this.what = what;
    }

    private JsonElement value(String key) {
        JsonElement v = json.get(key);
        return v == null || v.isJsonNull() ? null : v;
    }

    public boolean has(String key) {
        return value(key) != null;
    }

    public int integer(String key, int fallback) {
        JsonElement v = value(key);
        try {
            return v == null ? fallback : v.getAsInt();
        } catch (RuntimeException e) {
            throw bad(key, "a whole number");
        }
    }

    public int requiredInteger(String key) {
        if (!has(key)) {
            throw new DiffijException(what + ": config.json lacks \"" + key + "\"");
        }
        return integer(key, 0);
    }

    public float number(String key, float fallback) {
        JsonElement v = value(key);
        try {
            return v == null ? fallback : v.getAsFloat();
        } catch (RuntimeException e) {
            throw bad(key, "a number");
        }
    }

    public boolean bool(String key, boolean fallback) {
        JsonElement v = value(key);
        try {
            return v == null ? fallback : v.getAsBoolean();
        } catch (RuntimeException e) {
            throw bad(key, "true or false");
        }
    }

    /** A string, or null when absent or null. */
    public String string(String key) {
        JsonElement v = value(key);
        return v == null ? null : v.getAsString();
    }

    public List<String> strings(String key) {
        JsonElement v = value(key);
        if (v == null || !v.isJsonArray()) {
            throw bad(key, "a list of names");
        }
        return v.getAsJsonArray().asList().stream().map(JsonElement::getAsString).toList();
    }

    public int[] integers(String key) {
        JsonElement v = value(key);
        if (v == null || !v.isJsonArray()) {
            throw bad(key, "a list of whole numbers");
        }
        JsonArray array = v.getAsJsonArray();
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).getAsInt();
        }
        return out;
    }

    /** One value per level: a single number repeated, or a list of exactly {@code levels} numbers. */
    public int[] perLevel(String key, int levels, int fallback) {
        JsonElement v = value(key);
        int[] out = new int[levels];
        if (v == null) {
            Arrays.fill(out, fallback);
            return out;
        }
        if (v.isJsonArray()) {
            int[] list = integers(key);
            if (list.length != levels) {
                throw new DiffijException(what + ": config.json \"" + key + "\" has " + list.length
                        + " values but the model has " + levels + " levels");
            }
            return list;
        }
        Arrays.fill(out, integer(key, fallback));
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
        throw new DiffijException(what + ": config.json \"" + key + "\" = " + v + " is not supported ("
                + (supported.length == 0 ? "only null is" : "supported: " + String.join(", ", supported)) + ")");
    }

    private DiffijException bad(String key, String expected) {
        return new DiffijException(what + ": config.json \"" + key + "\" should be " + expected + ", found "
                + json.get(key));
    }
}
