package org.diffij.text.prompt;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.diffij.DiffijException;
import org.junit.jupiter.api.Test;

class PromptLimitsTest {

    @Test
    void ordinaryPromptsPass() {
        assertDoesNotThrow(() -> PromptLimits.check("the prompt", "a (cat:1.2), [dog|fox]\tBREAK\nemoji \uD83D\uDC31"));
        assertDoesNotThrow(() -> PromptLimits.check("the prompt", "(".repeat(PromptLimits.MAX_NESTING) + "cat"));
        assertDoesNotThrow(() -> PromptLimits.check("the prompt", "\\(".repeat(1_000) + "cat"),
                "escaped brackets do not nest");
        assertDoesNotThrow(() -> PromptLimits.check("the prompt", ")".repeat(500) + "(".repeat(100)),
                "unmatched closing brackets are text and do not lower the depth below zero");
        assertDoesNotThrow(() -> PromptLimits.check("the prompt", "(a)".repeat(5_000)), "depth, not count");
    }

    @Test
    void hostilePromptsFailWithOneMessageNamingTheLimit() {
        assertRejected("(".repeat(PromptLimits.MAX_NESTING + 1), "more than 100 levels deep");
        assertRejected("[".repeat(10_000), "more than 100 levels deep");
        assertRejected("x".repeat(PromptLimits.MAX_CHARACTERS + 1), "at most 32768");
        assertRejected("a\u0000b", "control character U+0000 at position 1");
        assertRejected("a\u001bb", "control character U+001B");
        assertRejected("a\uFFFDb", "invalid UTF-8");
        assertRejected("a\uDC00b", "lone surrogate");
        assertRejected("a\uD800", "lone surrogate");
    }

    @Test
    void tagCountsAreBoundedWhenParsed() {
        String tags = "<lora:a:1>".repeat(PromptLimits.MAX_EXTRA_NETWORKS + 1);
        DiffijException e = assertThrows(DiffijException.class, () -> A1111Prompt.parse("the negative prompt",
                tags, 20));
        assertTrue(e.getMessage().startsWith("the negative prompt has 65 extra-network tags"), e.getMessage());
        assertDoesNotThrow(() -> A1111Prompt.parse("<lora:a:1>".repeat(PromptLimits.MAX_EXTRA_NETWORKS), 20));
    }

    private static void assertRejected(String prompt, String expected) {
        DiffijException e = assertThrows(DiffijException.class, () -> A1111Prompt.parse(prompt, 20));
        assertTrue(e.getMessage().startsWith("the prompt ") && e.getMessage().contains(expected), e.getMessage());
    }
}
