package org.diffij.text.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The examples of A1111's documentation of emphasis, with weights derived by hand. */
class AttentionParserTest {

    private static WeightedText run(String text, double weight) {
        return new WeightedText(text, weight);
    }

    @Test
    void plainTextIsOneRun() {
        assertEquals(List.of(run("normal text", 1.0)), AttentionParser.parse("normal text"));
        assertEquals(List.of(run("", 1.0)), AttentionParser.parse(""));
    }

    @Test
    void roundBracketsMultiplyByOnePointOne() {
        assertEquals(List.of(run("an ", 1.0), run("important", 1.1), run(" word", 1.0)),
                AttentionParser.parse("an (important) word"));
        assertEquals(List.of(run("very", 1.1 * 1.1)), AttentionParser.parse("((very))"));
    }

    @Test
    void squareBracketsDivideByOnePointOne() {
        assertEquals(List.of(run("a ", 1.0), run("faint", 1 / 1.1), run(" cat", 1.0)),
                AttentionParser.parse("a [faint] cat"));
    }

    @Test
    void explicitWeightsReplaceTheFactor() {
        assertEquals(List.of(run("a ", 1.0), run("cat", 1.3)), AttentionParser.parse("a (cat:1.3)"));
        assertEquals(List.of(run("x", 0.5)), AttentionParser.parse("(x: 0.5 )"));
    }

    @Test
    void unbalancedAndEmptyBrackets() {
        assertEquals(List.of(run("unbalanced", 1.1)), AttentionParser.parse("(unbalanced"));
        assertEquals(List.of(run("unnecessaryparens", 1.1)), AttentionParser.parse("(unnecessary)(parens)"));
        assertEquals(List.of(run("a)", 1.0)), AttentionParser.parse("a)"));
    }

    @Test
    void escapedBracketsAreLiteral() {
        assertEquals(List.of(run("(literal]", 1.0)), AttentionParser.parse("\\(literal\\]"));
        assertEquals(List.of(run("a\\b", 1.0)), AttentionParser.parse("a\\\\b"));
    }

    @Test
    void nestedWeightsMultiply() {
        List<WeightedText> parsed = AttentionParser.parse("a (((house:1.3)) [on] a (hill:0.5), sun, (((sky))).");
        assertEquals(List.of(run("a ", 1.0), run("house", 1.3 * 1.1 * 1.1), run(" ", 1.1), run("on", 1 / 1.1 * 1.1),
                run(" a ", 1.1), run("hill", 0.5 * 1.1), run(", sun, ", 1.1), run("sky", 1.1 * 1.1 * 1.1 * 1.1),
                run(".", 1.1)), parsed);
        assertEquals(1.573, parsed.get(1).weight(), 1e-12);
        assertEquals(0.55, parsed.get(5).weight(), 1e-12);
    }

    @Test
    void breakSplitsOnlyAtTopLevelWeight() {
        List<WeightedText> parsed = AttentionParser.parse("a cat BREAK a dog");
        assertEquals(List.of(run("a cat", 1.0), WeightedText.BREAK, run("a dog", 1.0)), parsed);
        assertTrue(parsed.get(1).isBreak());
        List<WeightedText> inside = AttentionParser.parse("(a BREAK b)");
        assertFalse(inside.stream().anyMatch(WeightedText::isBreak));
        assertEquals(List.of(run("aBREAKb", 1.0)), AttentionParser.parse("aBREAKb"));
    }
}
