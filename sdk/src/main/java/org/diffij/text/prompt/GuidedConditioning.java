package org.diffij.text.prompt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * A prompt and its negative prompt encoded for every sampler step, ready for classifier-free
 * guidance: at each step both conditionings are taken from their schedules and padded to the same
 * number of chunks with the empty prompt ({@link ChunkPadding}), as A1111 does.
 */
public final class GuidedConditioning {

    /** The step's conditionings; {@code pooled} fields are null for SD 1.x/2.x. */
    public record Step(PromptEncoder.Conditioning positive, PromptEncoder.Conditioning negative) {
    }

    private final ScheduledConditioning positive;
    private final ScheduledConditioning negative;
    private final PromptEncoder.Conditioning empty;

    private GuidedConditioning(ScheduledConditioning positive, ScheduledConditioning negative,
            PromptEncoder.Conditioning empty) {
        this.positive = positive;
        this.negative = negative;
        this.empty = empty;
    }

    public static GuidedConditioning encode(NDManager manager, PromptEncoder encoder, A1111Prompt prompt,
            A1111Prompt negativePrompt) {
        return new GuidedConditioning(ScheduledConditioning.encode(manager, encoder, prompt.schedule()),
                ScheduledConditioning.encode(manager, encoder, negativePrompt.schedule()), encoder.encode(manager, ""));
    }

    /** The conditionings for 0-based sampler step index {@code stepIndex}, of equal length. */
    public Step at(int stepIndex) {
        PromptEncoder.Conditioning cond = positive.at(stepIndex);
        PromptEncoder.Conditioning uncond = negative.at(stepIndex);
        NDArray[] padded = ChunkPadding.toSameLength(cond.embeds(), uncond.embeds(), empty.embeds());
        return new Step(new PromptEncoder.Conditioning(padded[0], cond.pooled()),
                new PromptEncoder.Conditioning(padded[1], uncond.pooled()));
    }
}
