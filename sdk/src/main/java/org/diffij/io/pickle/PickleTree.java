package org.diffij.io.pickle;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns the value a torch pickle holds into named tensors the way the safetensors twins of such files
 * name them: nested dicts, lists and tuples become dotted paths ({@code {"image_proj": {"proj.weight":
 * t}}} → {@code image_proj.proj.weight}, A1111's {@code {32: (k, v)}} → {@code 32.0.linear.0.weight}),
 * a Lightning checkpoint's {@code state_dict} is the weights. Values that hold no tensor become string
 * metadata under their path, encoded as Python's {@code json.dumps} writes them ({@code "relu"} →
 * {@code "\"relu\""}, {@code [1.0, 2.0]}), as the flattened hypernetwork files do.
 *
 * <p>Walks are bounded in depth and in the number of values visited, since memo references can make
 * a small pickle describe a cyclic or exponentially shared graph.
 */
public final class PickleTree {

    static final int MAX_DEPTH = 64;
    static final long MAX_VISITS = 5_000_000;

    /** The named tensors and metadata of a pickle. */
    record Flat(Map<String, TorchTensor> tensors, Map<String, String> metadata) {
    }

    private final Map<String, TorchTensor> tensors = new TreeMap<>();
    private final Map<String, String> metadata = new TreeMap<>();
    private long visits;

    private PickleTree() {
    }

    static Flat flatten(Object root) {
        PickleTree tree = new PickleTree();
        if (root instanceof TorchTensor) {
            throw new PickleFormatException("holds a single unnamed tensor, not named weights");
        }
        Object weights = root;
        if (root instanceof Map<?, ?> top && top.get("state_dict") instanceof Map<?, ?> stateDict
                && tree.holdsTensors(stateDict, 0)) {
            weights = stateDict;
            for (Map.Entry<?, ?> entry : top.entrySet()) {
                if (!"state_dict".equals(entry.getKey()) && !tree.holdsTensors(entry.getValue(), 0)) {
                    tree.metadata.put(tree.keyText(entry.getKey()), tree.json(entry.getValue(), 0));
                }
            }
        }
        if (weights instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                tree.walk(entry.getValue(), tree.keyText(entry.getKey()), 1);
            }
        } else if (tree.holdsTensors(weights, 0)) {
            tree.walk(weights, "", 0);
        }
        return new Flat(tree.tensors, tree.metadata);
    }

    private void walk(Object value, String path, int depth) {
        visit(depth);
        if (value instanceof TorchTensor tensor) {
            if (tensors.put(path, tensor) != null) {
                throw new PickleFormatException("two tensors are both named '" + path + "' once flattened");
            }
        } else if (!holdsTensors(value, depth)) {
            metadata.put(path, json(value, depth));
        } else if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                walk(entry.getValue(), join(path, keyText(entry.getKey())), depth + 1);
            }
        } else {
            List<?> items = items(value);
            for (int i = 0; i < items.size(); i++) {
                walk(items.get(i), join(path, Integer.toString(i)), depth + 1);
            }
        }
    }

    private boolean holdsTensors(Object value, int depth) {
        visit(depth);
        if (value instanceof TorchTensor) {
            return true;
        }
        if (value instanceof Map<?, ?> map) {
            for (Object item : map.values()) {
                if (holdsTensors(item, depth + 1)) {
                    return true;
                }
            }
        } else if (value instanceof List<?> || value instanceof PickleTuple) {
            for (Object item : items(value)) {
                if (holdsTensors(item, depth + 1)) {
                    return true;
                }
            }
        }
        return false;
    }

    private void visit(int depth) {
        if (depth > MAX_DEPTH) {
            throw new PickleFormatException("the pickle nests values more than " + MAX_DEPTH
                    + " levels deep (or a value contains itself)");
        }
        if (++visits > MAX_VISITS) {
            throw new PickleFormatException("the pickle expands to more than " + MAX_VISITS
                    + " values (it repeats shared values far beyond any model file)");
        }
    }

    private static List<?> items(Object value) {
        return value instanceof PickleTuple tuple ? tuple.items() : (List<?>) value;
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /** Path segments: str keys as they are, int keys in decimal (A1111 hypernetworks key by width). */
    private String keyText(Object key) {
        if (key instanceof String || key instanceof Long || key instanceof BigInteger) {
            return key.toString();
        }
        return json(key, 0);
    }

    /** A plain value (no tensors) as Python's {@code json.dumps} writes it. */
    static String toJson(Object value) {
        return new PickleTree().json(value, 0);
    }

    /** The value as Python's {@code json.dumps} (default separators, ASCII) writes it. */
    private String json(Object value, int depth) {
        StringBuilder out = new StringBuilder();
        appendJson(out, value, depth);
        return out.toString();
    }

    private void appendJson(StringBuilder out, Object value, int depth) {
        visit(depth);
        if (value == null) {
            out.append("null");
        } else if (value instanceof Boolean b) {
            out.append(b ? "true" : "false");
        } else if (value instanceof Long || value instanceof Integer || value instanceof BigInteger) {
            out.append(value);
        } else if (value instanceof Double d) {
            out.append(pythonFloat(d));
        } else if (value instanceof String s) {
            appendString(out, s);
        } else if (value instanceof byte[] bytes) {
            appendString(out, new String(bytes, StandardCharsets.ISO_8859_1));
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            String separator = "";
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                out.append(separator);
                Object key = entry.getKey();
                appendString(out, key instanceof String s ? s : json(key, depth + 1));
                out.append(": ");
                appendJson(out, entry.getValue(), depth + 1);
                separator = ", ";
            }
            out.append('}');
        } else if (value instanceof List<?> || value instanceof PickleTuple || value instanceof Set<?>) {
            Iterable<?> items = value instanceof Set<?> set ? set : items(value);
            out.append('[');
            String separator = "";
            for (Object item : items) {
                out.append(separator);
                appendJson(out, item, depth + 1);
                separator = ", ";
            }
            out.append(']');
        } else {
            appendString(out, Unpickler.typeName(value));
        }
    }

    private static void appendString(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** Python's {@code repr(float)}: shortest digits, exponent form below 1e-4 and from 1e16. */
    public static String pythonFloat(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "Infinity" : "-Infinity";
        }
        if (value == 0) {
            return 1 / value < 0 ? "-0.0" : "0.0";
        }
        BigDecimal decimal = new BigDecimal(Double.toString(value)).stripTrailingZeros();
        String digits = decimal.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - decimal.scale();
        String sign = value < 0 ? "-" : "";
        if (exponent >= -4 && exponent < 16) {
            String plain = decimal.abs().toPlainString();
            return sign + (plain.contains(".") ? plain : plain + ".0");
        }
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
    }
}
