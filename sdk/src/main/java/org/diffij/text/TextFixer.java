package org.diffij.text;

import java.text.Normalizer;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Repairs the text damage that prompts pick up on the way from web pages, documents and
 * spreadsheets, so that they tokenise the way CLIP's reference tokenizer (which runs the ftfy
 * fixer) tokenises them: HTML character references, UTF-8 mojibake, stray C1 controls, Latin
 * ligatures, full-width and half-width forms, curly quotes, line-break variants, lone surrogates,
 * terminal colour codes and invisible control characters, then NFC. The fixes repeat until the
 * text stops changing. Text is fixed line by line, and HTML references stay encoded from the first
 * line that holds a {@code <} on, since such text is markup rather than escaped plain text.
 */
public final class TextFixer {

    private static final Map<Character, String> LIGATURES = Map.ofEntries(
            Map.entry('\u0132', "IJ"), Map.entry('\u0133', "ij"), Map.entry('\u0149', "\u02bcn"),
            Map.entry('\u01f1', "DZ"), Map.entry('\u01f2', "Dz"), Map.entry('\u01f3', "dz"),
            Map.entry('\u01c4', "D\u017d"), Map.entry('\u01c5', "D\u017e"), Map.entry('\u01c6', "d\u017e"),
            Map.entry('\u01c7', "LJ"), Map.entry('\u01c8', "Lj"), Map.entry('\u01c9', "lj"),
            Map.entry('\u01ca', "NJ"), Map.entry('\u01cb', "Nj"), Map.entry('\u01cc', "nj"),
            Map.entry('\ufb00', "ff"), Map.entry('\ufb01', "fi"), Map.entry('\ufb02', "fl"),
            Map.entry('\ufb03', "ffi"), Map.entry('\ufb04', "ffl"), Map.entry('\ufb05', "\u017ft"),
            Map.entry('\ufb06', "st"));

    private static final Pattern SINGLE_QUOTES = Pattern.compile("[\u02bc\u2018-\u201b]");
    private static final Pattern DOUBLE_QUOTES = Pattern.compile("[\u201c-\u201f]");
    private static final Pattern LINE_BREAKS = Pattern.compile("\r\n|[\r\u2028\u2029\u0085]");
    private static final Pattern TERMINAL_ESCAPES = Pattern.compile("\u001b\\[[0-9;]*[a-zA-Z]");

    private TextFixer() {
    }

    public static String fix(String text) {
        if (isPlainAscii(text)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        boolean unescapeHtml = true;
        int pos = 0;
        while (pos < text.length()) {
            int lineEnd = text.indexOf('\n', pos) + 1;
            if (lineEnd == 0) {
                lineEnd = text.length();
            }
            String line = text.substring(pos, lineEnd);
            if (line.indexOf('<') >= 0) {
                unescapeHtml = false;
            }
            out.append(fixSegment(line, unescapeHtml));
            pos = lineEnd;
        }
        return out.toString();
    }

    /** Printable ASCII, tabs and line feeds without {@code &}: nothing to repair (the common prompt). */
    private static boolean isPlainAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c > '~' || c == '&' || (c < ' ' && c != '\t' && c != '\n')) {
                return false;
            }
        }
        return true;
    }

    private static String fixSegment(String text, boolean unescapeHtml) {
        while (true) {
            String original = text;
            Needs needs = Needs.of(text);
            if (unescapeHtml && needs.ampersand) {
                text = HtmlEntities.unescape(text);
                needs = Needs.of(text);
            }
            if (needs.latin1) {
                text = Mojibake.fix(text);
                text = Mojibake.fixC1Controls(text);
            }
            if (needs.compatibilityForms) {
                text = toStandardWidth(replaceLigatures(text));
            }
            if (needs.punctuation) {
                text = DOUBLE_QUOTES.matcher(SINGLE_QUOTES.matcher(text).replaceAll("'")).replaceAll("\"");
                text = LINE_BREAKS.matcher(text).replaceAll("\n");
            }
            if (needs.controls) {
                text = LINE_BREAKS.matcher(text).replaceAll("\n");
                text = TERMINAL_ESCAPES.matcher(text).replaceAll("");
                text = removeControlCharacters(text);
            }
            if (needs.surrogates) {
                text = replaceLoneSurrogates(text);
            }
            if (needs.composable) {
                text = Normalizer.normalize(text, Normalizer.Form.NFC);
            }
            if (text.equals(original)) {
                return text;
            }
        }
    }

    /** Which repairs a text can need at all, from one scan of its characters; the rest are skipped. */
    private record Needs(boolean ampersand, boolean latin1, boolean compatibilityForms, boolean punctuation,
            boolean controls, boolean surrogates, boolean composable) {

        static Needs of(String text) {
            boolean ampersand = false;
            boolean latin1 = false;
            boolean compatibility = false;
            boolean punctuation = false;
            boolean controls = false;
            boolean surrogates = false;
            boolean composable = false;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c < 0x80) {
                    ampersand |= c == '&';
                    controls |= (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f;
                    continue;
                }
                latin1 |= c <= 0xff || Mojibake.WINDOWS_1252_HIGH.indexOf(c) >= 0;
                compatibility |= LIGATURES.containsKey(c) || c == '\u3000' || (c >= '\uff01' && c <= '\uffef');
                punctuation |= c == '\u02bc' || (c >= '\u2018' && c <= '\u201f') || c == '\u2028' || c == '\u2029';
                controls |= (c >= 0x206a && c <= 0x206f) || c == 0xfeff || (c >= 0xfff9 && c <= 0xfffc);
                surrogates |= Character.isSurrogate(c);
                composable |= c >= 0x300;
            }
            return new Needs(ampersand, latin1, compatibility, punctuation, controls, surrogates, composable);
        }
    }

    private static String replaceLigatures(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String replacement = LIGATURES.get(c);
            if (replacement != null) {
                out.append(replacement);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Full-width ASCII and half-width CJK forms become their ordinary forms; the ideographic space a space. */
    private static String toStandardWidth(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\u3000') {
                out.append(' ');
            } else if (c >= '\uff01' && c <= '\uffef') {
                out.append(Normalizer.normalize(String.valueOf(c), Normalizer.Form.NFKC));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String replaceLoneSurrogates(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                out.append('\ufffd');
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Drops control characters other than tab, line feed, form feed and carriage return, and invisible format marks. */
    private static String removeControlCharacters(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean control = (c <= 0x08) || c == 0x0b || (c >= 0x0e && c <= 0x1f) || c == 0x7f
                    || (c >= 0x206a && c <= 0x206f) || c == 0xfeff || (c >= 0xfff9 && c <= 0xfffc);
            if (!control) {
                out.append(c);
            }
        }
        return out.toString();
    }
}
