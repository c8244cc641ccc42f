package org.diffij.text.prompt;

import java.util.List;

/**
 * A prompt as A1111 users write it, taken apart: the extra-network tags ({@code <lora:...>},
 * {@code <hypernet:...>}) for the adapters, and the per-step schedule of the remaining text, whose
 * entries still carry emphasis and {@code BREAK} for a {@link PromptEncoder}.
 */
public record A1111Prompt(String text, List<ExtraNetworkTag> extraNetworks, PromptSchedule schedule) {

    public static A1111Prompt parse(String prompt, int steps) {
        ExtraNetworkTag.Extracted extracted = ExtraNetworkTag.extract(prompt);
        return new A1111Prompt(extracted.prompt(), extracted.tags(), PromptSchedule.parse(extracted.prompt(), steps));
    }
}
