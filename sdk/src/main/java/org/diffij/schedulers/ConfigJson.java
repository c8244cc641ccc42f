package org.diffij.schedulers;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.diffij.DiffijException;

/**
 * Typed reads from a resolved scheduler config (every key of the scheduler class present), with
 * one-line errors that name the key. Keys a class does not have read as the given fallback.
 */
final class ConfigJson {

    private final JsonObject json;

    ConfigJson(JsonObject json) {
        this.json = json;
    }

    JsonObject json() {
        return json;
    }

    boolean has(String key) {
        return json.has(key) && !json.get(key).isJsonNull();
    }

    int integer(String key) {
        JsonElement value = required(key);
        try {
            double number = value.getAsDouble();
            if (number != Math.rint(number)) {
                throw new NumberFormatException();
            }
            return (int) number;
        } catch (RuntimeException e) {
            throw invalid(key, "a whole number");
        }
    }

    double number(String key) {
        try {
            return required(key).getAsDouble();
        } catch (RuntimeException e) {
            throw invalid(key, "a number");
        }
    }

    boolean bool(String key, boolean fallback) {
        if (!has(key)) {
            return fallback;
        }
        JsonElement value = json.get(key);
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isBoolean()) {
            throw invalid(key, "true or false");
        }
        return value.getAsBoolean();
    }

    String string(String key, String fallback) {
        if (!has(key)) {
            return fallback;
        }
        JsonElement value = json.get(key);
        if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
            throw invalid(key, "a string");
        }
        return value.getAsString();
    }

    /** A number that may be null ({@code sigma_min} and friends). */
    Double optionalNumber(String key) {
        return has(key) ? number(key) : null;
    }

    /** A list of numbers that may be null ({@code trained_betas}). */
    double[] optionalNumbers(String key) {
        if (!has(key)) {
            return null;
        }
        JsonElement value = json.get(key);
        if (!value.isJsonArray()) {
            throw invalid(key, "a list of numbers");
        }
        JsonArray array = value.getAsJsonArray();
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            try {
                out[i] = array.get(i).getAsDouble();
            } catch (RuntimeException e) {
                throw invalid(key, "a list of numbers");
            }
        }
        return out;
    }

    List<Integer> integers(String key) {
        List<Integer> out = new ArrayList<>();
        for (double d : has(key) ? optionalNumbers(key) : new double[0]) {
            out.add((int) d);
        }
        return out;
    }

    /** A string that must be one of the allowed values. */
    String choice(String key, String fallback, String... allowed) {
        String value = string(key, fallback);
        for (String a : allowed) {
            if (a.equals(value)) {
                return value;
            }
        }
        throw new DiffijException("scheduler config: " + key + " '" + value + "' is not supported; use one of "
                + String.join(", ", allowed));
    }

    private JsonElement required(String key) {
        if (!has(key)) {
            throw new DiffijException("scheduler config: '" + key + "' is missing or null");
        }
        return json.get(key);
    }

    private DiffijException invalid(String key, String what) {
        return new DiffijException("scheduler config: '" + key + "' must be " + what + ", got " + json.get(key));
    }
}
