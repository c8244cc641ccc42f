package org.diffij.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TextFixerTest {

    @Test
    void decodesHtmlReferencesThatEndInASemicolon() {
        assertEquals("Tom & Jerry <3 \"x\" 'y'", TextFixer.fix("Tom &amp; Jerry &lt;3 &quot;x&quot; &#39;y&#x27;"));
        assertEquals("P\u00c9REZ", TextFixer.fix("P&EACUTE;REZ"));
        assertEquals("\u2013", TextFixer.fix("&#150;"));
    }

    @Test
    void leavesInformalAmpersandsAndMarkupAlone() {
        assertEquals("this&not that", TextFixer.fix("this&not that"));
        assertEquals("<b>&amp;</b>", TextFixer.fix("<b>&amp;</b>"));
        assertEquals("&nTILDE;", TextFixer.fix("&nTILDE;"));
    }

    @Test
    void markupOnOneLineKeepsReferencesOfLaterLinesEncoded() {
        assertEquals("a & b\n<i>\n&amp;", TextFixer.fix("a &amp; b\n<i>\n&amp;"));
    }

    @Test
    void repairsUtf8ReadAsWindows1252() {
        assertEquals("caf\u00e9 \u00e9t\u00e9", TextFixer.fix("caf\u00c3\u00a9 \u00c3\u00a9t\u00c3\u00a9"));
        assertEquals("\u201cquoted\u201d".replace('\u201c', '"').replace('\u201d', '"'),
                TextFixer.fix("\u00e2\u20ac\u0153quoted\u00e2\u20ac\u009d"));
    }

    @Test
    void repairsMojibakeInsideTextThatIsOtherwiseFine() {
        assertEquals("na\u00efve \u00e9t\u00e9", TextFixer.fix("na\u00efve \u00c3\u00a9t\u00c3\u00a9"));
    }

    @Test
    void leavesAccentedCapitalsBeforeSymbolsAlone() {
        assertEquals("NESTL\u00c9\u00ae and CAF\u00c9\u2026 and 10 \u00c5\u2014",
                TextFixer.fix("NESTL\u00c9\u00ae and CAF\u00c9\u2026 and 10 \u00c5\u2014"));
        assertEquals("Bront\u00eb\u2026\"", TextFixer.fix("Bront\u00eb\u2026\u201d"));
    }

    @Test
    void repairsMidWordPairsOfOtherLeads() {
        assertEquals("\u0130stanbul", TextFixer.fix("\u00c4\u00b0stanbul"));
    }

    @Test
    void leavesCorrectAccentsAndOtherScriptsAlone() {
        String text = "caf\u00e9 cr\u00e8me br\u00fbl\u00e9e, \u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac, \u732b";
        assertEquals(text, TextFixer.fix(text));
    }

    @Test
    void normalisesTypographyAndWidth() {
        assertEquals("fi ffl IJ", TextFixer.fix("\ufb01 \ufb04 \u0132"));
        assertEquals("ABC123 x", TextFixer.fix("\uff21\uff22\uff23\uff11\uff12\uff13\u3000x"));
        assertEquals("'a' \"b\" \u2014 \u2026", TextFixer.fix("\u2018a\u2019 \u201cb\u201d \u2014 \u2026"));
    }

    @Test
    void removesControlsAndTerminalCodesAndComposesAccents() {
        assertEquals("red", TextFixer.fix("\u001b[31mred\u001b[0m"));
        assertEquals("ab", TextFixer.fix("a\u0000\ufeffb"));
        assertEquals("\u00e9", TextFixer.fix("e\u0301"));
        assertEquals("a\nb\nc", TextFixer.fix("a\r\nb\u2028c"));
        assertEquals("x\ufffdy", TextFixer.fix("x\ud800y"));
    }
}
