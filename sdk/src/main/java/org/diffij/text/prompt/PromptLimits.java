package org.diffij.text.prompt;

import org.diffij.DiffijException;

/**
 * The bounds a prompt must keep before it is parsed, so that hostile or careless text ends in one
 * clear message instead of a stack overflow, an exhausted heap or garbage conditioning. A1111
 * itself has no limits; these are far above any prompt written by hand.
 */
public final class PromptLimits {

    /** Characters per prompt: about 80 chunks of 75 tokens of ordinary English, far beyond real use. */
    public static final int MAX_CHARACTERS = 32_768;
    /** Nesting of {@code (} and {@code [}: the schedule parser recurses per level. */
    public static final int MAX_NESTING = 100;
    /** Extra-network tags ({@code <lora:...>}, {@code <hypernet:...>}) per prompt. */
    public static final int MAX_EXTRA_NETWORKS = 64;
    /**
     * 75-token chunks per prompt: each adds 77 positions to every cross-attention of every step
     * and one row to the text encoder's batch; 64 chunks are 4,928 positions.
     */
    public static final int MAX_CHUNKS = 64;

    private PromptLimits() {
    }

    /**
     * Fails with a message naming {@code what} (e.g. "the prompt") when the text is too long, holds
     * control characters or undecodable text, or nests brackets too deeply.
     */
    public static void check(String what, String text) {
        if (text.length() > MAX_CHARACTERS) {
            throw new DiffijException(what + " has " + text.length() + " characters; at most " + MAX_CHARACTERS
                    + " are accepted: shorten it");
        }
        int depth = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) && c != '\t' && c != '\n' && c != '\r') {
                throw new DiffijException(what + " holds the control character U+" + hex(c) + " at position " + i
                        + "; remove it (prompts are plain text)");
            }
            if (c == '\uFFFD') {
                throw new DiffijException(what + " holds U+FFFD at position " + i
                        + ", the mark of bytes that were not valid text (invalid UTF-8?); retype it as UTF-8 text");
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
                continue;
            }
            if (Character.isSurrogate(c)) {
                throw new DiffijException(what + " holds a broken character (lone surrogate U+" + hex(c)
                        + ") at position " + i + "; retype it as valid Unicode text");
            }
            if (c == '\\') {
                i++;
            } else if (c == '(' || c == '[') {
                if (++depth > MAX_NESTING) {
                    throw new DiffijException(what + " nests brackets more than " + MAX_NESTING
                            + " levels deep (at position " + i + "); use (text:1.5) for strong emphasis");
                }
            } else if ((c == ')' || c == ']') && depth > 0) {
                depth--;
            }
        }
    }

    /** Fails when a prompt carries more extra-network tags than {@link #MAX_EXTRA_NETWORKS}. */
    static void checkExtraNetworks(String what, int tags) {
        if (tags > MAX_EXTRA_NETWORKS) {
            throw new DiffijException(what + " has " + tags + " extra-network tags (<lora:...>, <hypernet:...>); at most "
                    + MAX_EXTRA_NETWORKS + " are accepted");
        }
    }

    /** Fails when a prompt needs more encoder chunks than {@link #MAX_CHUNKS}. */
    static void checkChunks(int chunks) {
        if (chunks > MAX_CHUNKS) {
            throw new DiffijException("the prompt needs more than " + MAX_CHUNKS + " chunks of 75 tokens (BREAK starts "
                    + "a new one); shorten it or use fewer BREAKs");
        }
    }

    private static String hex(char c) {
        return String.format("%04X", (int) c);
    }
}
