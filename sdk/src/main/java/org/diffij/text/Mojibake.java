package org.diffij.text;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Repairs UTF-8 text that was decoded as Windows-1252 or Latin-1 ("cafÃ©" for "café"), the
 * common kind of mojibake in prompts pasted from web pages and spreadsheets. A run of characters
 * whose Windows-1252 bytes form UTF-8 sequences is decoded when it is convincing: it holds two or
 * more sequences, or its sequence starts with Â, Ã or â (the leads of Latin-1 letters and of
 * typographic punctuation, which real text practically never follows with a high Windows-1252
 * character), or it is a pair led by Ä, Å, Î, Ï, Ð or Ñ (Latin Extended-A, Greek, Cyrillic) in
 * the middle of a word ("Ä°stanbul"). Other lone pairs such as "NESTLÉ®" or "Å™," are left
 * alone, since they are as likely to be meant. Mix-ups between other single-byte code pages are not repaired.
 */
final class Mojibake {

    /** Characters of "sloppy" Windows-1252 for bytes 0x80-0x9F; unassigned bytes keep their C1 control. */
    static final String WINDOWS_1252_HIGH =
            "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f"
            + "\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178";

    private static final String CONTINUATION = "[\\u0080-\\u00bf" + WINDOWS_1252_HIGH + "]";

    /** Runs of characters whose Windows-1252 bytes form multi-byte UTF-8 sequences. */
    private static final Pattern UTF8_AS_WINDOWS_1252 = Pattern.compile("(?:[\\u00c2-\\u00df]" + CONTINUATION
            + "|[\\u00e0-\\u00ef]" + CONTINUATION + "{2}|[\\u00f0-\\u00f4]" + CONTINUATION + "{3})+");

    private Mojibake() {
    }

    static String fix(String text) {
        while (true) {
            String fixed = fixOnce(text);
            if (fixed.equals(text)) {
                return text;
            }
            text = fixed;
        }
    }

    private static String fixOnce(String text) {
        Matcher m = UTF8_AS_WINDOWS_1252.matcher(text);
        StringBuilder out = null;
        while (m.find()) {
            char next = m.end() < text.length() ? text.charAt(m.end()) : ' ';
            String piece = isConvincing(m.group(), next) ? decodeAsUtf8(m.group()) : null;
            if (out == null) {
                out = new StringBuilder(text.length());
            }
            m.appendReplacement(out, Matcher.quoteReplacement(piece != null ? piece : m.group()));
        }
        if (out == null) {
            return text;
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Two or more UTF-8 sequences, one led by Â, Ã or â, or a mid-word pair of a common non-Latin-1 lead. */
    private static boolean isConvincing(String run, char next) {
        int sequences = 0;
        for (int i = 0; i < run.length(); i++) {
            char c = run.charAt(i);
            if (c >= '\u00c2' && c <= '\u00f4') {
                sequences++;
            }
        }
        char lead = run.charAt(0);
        boolean midWordPair = run.length() == 2 && "\u00c4\u00c5\u00ce\u00cf\u00d0\u00d1".indexOf(lead) >= 0
                && next >= 'a' && next <= 'z';
        return sequences >= 2 || lead == '\u00c2' || lead == '\u00c3' || lead == '\u00e2' || midWordPair;
    }

    /** The text's Windows-1252 bytes read as UTF-8, or null when it has no such bytes or they are not UTF-8. */
    private static String decodeAsUtf8(String text) {
        byte[] bytes = new byte[text.length()];
        for (int i = 0; i < text.length(); i++) {
            int b = windows1252Byte(text.charAt(i));
            if (b < 0) {
                return null;
            }
            bytes[i] = (byte) b;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static int windows1252Byte(char c) {
        if (c < 0x80 || (c >= 0xa0 && c <= 0xff)) {
            return c;
        }
        int high = WINDOWS_1252_HIGH.indexOf(c);
        return high >= 0 ? 0x80 + high : -1;
    }

    /** Replaces C1 control characters by the Windows-1252 characters of the same byte values. */
    static String fixC1Controls(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80 && c <= 0x9f) {
                if (out == null) {
                    out = new StringBuilder(text);
                }
                out.setCharAt(i, WINDOWS_1252_HIGH.charAt(c - 0x80));
            }
        }
        return out == null ? text : out.toString();
    }
}
