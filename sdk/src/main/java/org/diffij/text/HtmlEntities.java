package org.diffij.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decodes HTML character references the cautious way text fixers do: only references that end in
 * a semicolon ({@code &amp;}, {@code &eacute;}, {@code &#39;}, {@code &#x27;}), plus all-caps
 * spellings of lower-case names whose capitalised form means nothing else ({@code &EACUTE;} is
 * "É"). Informal text such as {@code this&not that} is left alone.
 */
final class HtmlEntities {

    private static final Pattern REFERENCE = Pattern.compile("&#?[0-9A-Za-z]{1,24};");
    private static final Map<String, String> HTML5 = readTable();
    private static final Map<String, String> DECODABLE = decodableReferences();

    /** Windows-1252 meanings browsers give to numeric references in the C1 range. */
    private static final String C1_AS_WINDOWS_1252 =
            "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f"
            + "\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178";

    private HtmlEntities() {
    }

    static String unescape(String text) {
        if (text.indexOf('&') < 0) {
            return text;
        }
        Matcher m = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(decode(m.group())));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String decode(String reference) {
        String named = DECODABLE.get(reference);
        if (named != null) {
            return named;
        }
        if (reference.startsWith("&#")) {
            String numeric = numeric(reference.substring(2, reference.length() - 1));
            return numeric == null ? reference : numeric;
        }
        return reference;
    }

    /** A numeric reference's text as a browser reads it, or null when the digits are not a number. */
    private static String numeric(String digits) {
        long code;
        try {
            code = digits.startsWith("x") || digits.startsWith("X") ? Long.parseLong(digits.substring(1), 16)
                    : Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return null;
        }
        if (code >= 0x80 && code <= 0x9f) {
            return String.valueOf(C1_AS_WINDOWS_1252.charAt((int) code - 0x80));
        }
        if (code == 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
            return "\ufffd";
        }
        if (isInvalidCodePoint((int) code)) {
            return "";
        }
        return new String(Character.toChars((int) code));
    }

    /** Control characters and noncharacters that browsers drop from numeric references. */
    private static boolean isInvalidCodePoint(int c) {
        return (c >= 0x1 && c <= 0x8) || c == 0xb || (c >= 0xe && c <= 0x1f) || (c >= 0x7f && c <= 0x9f)
                || (c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe;
    }

    private static Map<String, String> decodableReferences() {
        Map<String, String> references = new HashMap<>();
        for (Map.Entry<String, String> entry : HTML5.entrySet()) {
            String name = entry.getKey();
            if (!name.endsWith(";")) {
                continue;
            }
            references.put("&" + name, entry.getValue());
            if (name.equals(name.toLowerCase(Locale.ROOT))) {
                String upper = name.toUpperCase(Locale.ROOT);
                if (!meansSomethingElse(upper)) {
                    references.put("&" + upper, entry.getValue().toUpperCase(Locale.ROOT));
                }
            }
        }
        return references;
    }

    /**
     * True when a browser would decode the capitalised name as some other reference: the name
     * itself, or (for legacy names without semicolon) a prefix of at least two characters.
     */
    private static boolean meansSomethingElse(String upperName) {
        if (HTML5.containsKey(upperName)) {
            return true;
        }
        for (int length = upperName.length() - 1; length > 1; length--) {
            if (HTML5.containsKey(upperName.substring(0, length))) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, String> readTable() {
        Map<String, String> table = new HashMap<>();
        try (InputStream in = HtmlEntities.class.getResourceAsStream("html-entities.tsv")) {
            if (in == null) {
                throw new IllegalStateException("html-entities.tsv is missing from the Diffij jar");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int tab = line.indexOf('\t');
                StringBuilder chars = new StringBuilder();
                for (String hex : line.substring(tab + 1).split(" ")) {
                    chars.appendCodePoint(Integer.parseInt(hex, 16));
                }
                table.put(line.substring(0, tab), chars.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return table;
    }
}
