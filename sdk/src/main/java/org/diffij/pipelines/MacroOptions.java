package org.diffij.pipelines;

import java.util.LinkedHashMap;
import java.util.Map;
import org.diffij.DiffijException;

/**
 * ImageJ macro option strings ({@code key=value key=[value with spaces]}), as the Macro Recorder
 * writes them and {@code run("Command...", options)} passes them. Bracketed values may contain
 * balanced brackets, so A1111 prompts such as {@code [cat:dog:0.5]} survive.
 */
public final class MacroOptions {

    private MacroOptions() {
    }

    public static String format(Map<String, String> options) {
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, String> entry : options.entrySet()) {
            if (!text.isEmpty()) {
                text.append(' ');
            }
            String value = entry.getValue();
            boolean plain = !value.isEmpty() && value.chars().noneMatch(c -> Character.isWhitespace(c) || c == '['
                    || c == ']' || c == '=');
            text.append(entry.getKey()).append('=').append(plain ? value : "[" + value + "]");
            if (!plain && !balanced(value)) {
                throw new DiffijException("the value of '" + entry.getKey() + "' has unbalanced brackets and cannot be "
                        + "written as a macro option: " + value);
            }
        }
        return text.toString();
    }

    /** A number as the options write it: whole numbers without a fraction, others as Java prints them. */
    public static String number(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }

    public static Map<String, String> parse(String text) {
        Map<String, String> options = new LinkedHashMap<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            int equals = text.indexOf('=', i);
            int space = indexOfWhitespace(text, i);
            if (equals < 0 || (space >= 0 && space < equals)) {
                int end = space < 0 ? n : space;
                options.put(text.substring(i, end), "true");
                i = end;
                continue;
            }
            String key = text.substring(i, equals);
            i = equals + 1;
            String value;
            if (i < n && text.charAt(i) == '[') {
                int depth = 0;
                int j = i;
                for (; j < n; j++) {
                    char c = text.charAt(j);
                    if (c == '[') {
                        depth++;
                    } else if (c == ']' && --depth == 0) {
                        break;
                    }
                }
                if (j >= n) {
                    throw new DiffijException("macro option '" + key + "' opens '[' without its closing ']'");
                }
                value = text.substring(i + 1, j);
                i = j + 1;
            } else {
                int end = indexOfWhitespace(text, i);
                end = end < 0 ? n : end;
                value = text.substring(i, end);
                i = end;
            }
            if (options.put(key, value) != null) {
                throw new DiffijException("macro option '" + key + "' is given twice");
            }
        }
        return options;
    }

    private static int indexOfWhitespace(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            if (Character.isWhitespace(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static boolean balanced(String value) {
        int depth = 0;
        for (char c : value.toCharArray()) {
            if (c == '[') {
                depth++;
            } else if (c == ']' && --depth < 0) {
                return false;
            }
        }
        return depth == 0;
    }
}
