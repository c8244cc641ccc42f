package org.diffij.text.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Prompt editing as A1111 documents it, with the step lists derived by hand. */
class PromptScheduleTest {

    private static PromptSchedule.Entry at(int step, String prompt) {
        return new PromptSchedule.Entry(step, prompt);
    }

    @Test
    void plainPromptsHaveOneEntry() {
        assertEquals(List.of(at(20, "a cat (in a hat:1.2)")), PromptSchedule.parse("a cat (in a hat:1.2)", 20).entries());
    }

    @Test
    void fromToWhenSwitchesAfterTheStep() {
        PromptSchedule schedule = PromptSchedule.parse("a [fantasy:cyberpunk:16] landscape", 30);
        assertEquals(List.of(at(16, "a fantasy landscape"), at(30, "a cyberpunk landscape")), schedule.entries());
        assertEquals("a fantasy landscape", schedule.promptAt(16));
        assertEquals("a cyberpunk landscape", schedule.promptAt(17));
    }

    @Test
    void addingAndRemovingText() {
        assertEquals(List.of(at(5, "a  car"), at(10, "a red car")), PromptSchedule.parse("a [red:5] car", 10).entries());
        assertEquals(List.of(at(5, "a red car"), at(10, "a  car")), PromptSchedule.parse("a [red::5] car", 10).entries());
    }

    @Test
    void aDecimalPointMakesAFractionOfTheSteps() {
        assertEquals(List.of(at(5, "a"), at(20, "b")), PromptSchedule.parse("[a:b:0.25]", 20).entries());
        assertEquals(List.of(at(20, "a")), PromptSchedule.parse("[a:b:1.5]", 20).entries());
        assertEquals(List.of(at(20, "b")), PromptSchedule.parse("[a:b:0]", 20).entries());
    }

    @Test
    void alternationChangesEveryStep() {
        assertEquals(List.of(at(1, "cow in a field"), at(2, "horse in a field"), at(3, "cow in a field")),
                PromptSchedule.parse("[cow|horse] in a field", 3).entries());
    }

    @Test
    void emphasisIsKeptAndEditingNests() {
        assertEquals(List.of(at(2, "(a b:1.2)"), at(4, "(a c:1.2)")), PromptSchedule.parse("(a [b:c:2]:1.2)", 4).entries());
        assertEquals(List.of(at(2, "x"), at(4, "y"), at(6, "z")), PromptSchedule.parse("[[x:y:2]:z:4]", 6).entries());
    }

    @Test
    void invalidEditingSyntaxStaysLiteral() {
        assertEquals(List.of(at(10, "[a:b] and [c]")), PromptSchedule.parse("[a:b] and [c]", 10).entries());
        assertEquals(List.of(at(10, "\\[a:b:3\\]")), PromptSchedule.parse("\\[a:b:3\\]", 10).entries());
    }
}
