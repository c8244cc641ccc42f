package org.diffij.text;

import java.text.Normalizer;
import java.util.Locale;

/**
 * The normalisation transformers' {@code CLIPTokenizer} falls back to when the ftfy package is
 * missing (BERT's basic tokenizer without punctuation splitting): control characters dropped,
 * whitespace unified, every CJK ideograph made a word of its own, NFC, lower case per word. Only
 * for reproducing embeddings made by such installations; {@link TextFixer} is the default.
 */
final class BasicTextNormalizer {

    private BasicTextNormalizer() {
    }

    static String normalize(String text) {
        StringBuilder spaced = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (c == 0 || c == 0xfffd || isControl(c)) {
                return;
            }
            if (isWhitespace(c)) {
                spaced.append(' ');
            } else if (isCjkIdeograph(c)) {
                spaced.append(' ').appendCodePoint(c).append(' ');
            } else {
                spaced.appendCodePoint(c);
            }
        });
        String nfc = Normalizer.normalize(spaced, Normalizer.Form.NFC);
        StringBuilder out = new StringBuilder(nfc.length());
        for (String word : nfc.split("[\\p{IsWhite_Space}\\x1c-\\x1f]+")) {
            if (!word.isEmpty()) {
                if (out.length() > 0) {
                    out.append(' ');
                }
                out.append(word.toLowerCase(Locale.ROOT));
            }
        }
        return out.toString();
    }

    private static boolean isWhitespace(int c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || Character.getType(c) == Character.SPACE_SEPARATOR;
    }

    private static boolean isControl(int c) {
        if (c == '\t' || c == '\n' || c == '\r') {
            return false;
        }
        int type = Character.getType(c);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE
                || type == Character.PRIVATE_USE || type == Character.UNASSIGNED;
    }

    /** The CJK Unified Ideographs blocks and their extensions and compatibility forms (not kana or hangul). */
    private static boolean isCjkIdeograph(int c) {
        return (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x20000 && c <= 0x2a6df)
                || (c >= 0x2a700 && c <= 0x2b73f) || (c >= 0x2b740 && c <= 0x2b81f) || (c >= 0x2b820 && c <= 0x2ceaf)
                || (c >= 0xf900 && c <= 0xfaff) || (c >= 0x2f800 && c <= 0x2fa1f);
    }
}
