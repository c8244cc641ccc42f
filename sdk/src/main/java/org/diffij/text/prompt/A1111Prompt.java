package org.diffij.text.prompt;

import java.util.List;

/**
 * A prompt as A1111 users write it, taken apart: the extra-network tags ({@code <lora:...>},
 * {@code <hypernet:...>}) for the adapters, and the per-step schedule of the remaining text, whose
 * entries still carry emphasis and {@code BREAK} for a {@link PromptEncoder}.
 */
public record A1111Prompt(String text, List<ExtraNetworkTag> extraNetworks, PromptSchedule schedule) {

    public static A1111Prompt parse(String prompt, int steps) {
        return parse("the prompt", prompt, steps);
    }

    /** Parses a prompt once its {@link PromptLimits} are checked; {@code what} names it in messages. */
    public static A1111Prompt parse(String what, String prompt, int steps) {
        PromptLimits.check(what, prompt);
        ExtraNetworkTag.Extracted extracted = ExtraNetworkTag.extract(prompt);
        PromptLimits.checkExtraNetworks(what, extracted.tags().size());
        return new A1111Prompt(extracted.prompt(), extracted.tags(), PromptSchedule.parse(extracted.prompt(), steps));
    }
}
