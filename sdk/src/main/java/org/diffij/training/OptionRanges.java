package org.diffij.training;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.diffij.DiffijException;

/**
 * The range checks of training options: one message shape for every key ("KEY must be ... in RANGE,
 * not VALUE"), so that a user who mistypes any option is told the allowed values, not only that the
 * value is wrong.
 */
final class OptionRanges {

    /** Steps and step counts: far beyond any real run, small enough that step arithmetic never overflows. */
    static final int MAX_STEPS = 10_000_000;

    private OptionRanges() {
    }

    /** A whole number in {@code min..max}; {@code note} (may be empty) says what special values mean. */
    static void whole(String key, long value, long min, long max, String note) {
        if (value < min || value > max) {
            throw new DiffijException(key + " must be " + min + ".." + max + note + ", not " + value);
        }
    }

    /** A finite number in {@code [min, max]}, or {@code (min, max]} when {@code minOpen}. */
    static void number(String key, double value, double min, boolean minOpen, double max, String note) {
        boolean above = minOpen ? value > min : value >= min;
        if (!above || !(value <= max)) {
            throw new DiffijException(key + " must be a number in " + (minOpen ? "(" : "[") + format(min) + ", "
                    + format(max) + "]" + note + ", not " + format(value));
        }
    }

    /**
     * The constant of {@code values} whose key (its name in lower case) is {@code text}, trimmed, in
     * any case; else "OPTION must be a, b or c, not 'TEXT'".
     */
    static <E extends Enum<E>> E choice(String option, E[] values, String text) {
        String wanted = text.trim().toLowerCase(Locale.ROOT);
        List<String> keys = new ArrayList<>();
        for (E value : values) {
            String key = value.name().toLowerCase(Locale.ROOT);
            if (key.equals(wanted)) {
                return value;
            }
            keys.add(key);
        }
        String alternatives = keys.size() == 1 ? keys.get(0)
                : String.join(", ", keys.subList(0, keys.size() - 1)) + " or " + keys.get(keys.size() - 1);
        throw new DiffijException(option + " must be " + alternatives + ", not '" + text + "'");
    }

    private static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
                : String.format(Locale.ROOT, "%s", value);
    }
}
