package org.diffij.pipelines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.diffij.engine.DiffijEngine;
import org.diffij.text.prompt.PromptEncoder;
import org.junit.jupiter.api.Test;

class PromptConditioningTest {

    /** A stand-in encoder: one 2-token chunk per BREAK-separated part, filled with the part's length. */
    private static final PromptEncoder LENGTHS = (manager, prompt) -> {
        String[] parts = prompt.split(" BREAK ", -1);
        float[] values = new float[parts.length * 2];
        for (int i = 0; i < parts.length; i++) {
            values[2 * i] = parts[i].length();
            values[2 * i + 1] = parts[i].length();
        }
        return new PromptEncoder.Conditioning(manager.create(values, new Shape(1, parts.length * 2, 1)), null);
    };

    @Test
    void eachStepBatchesNegativesThenPromptsPaddedWithTheEmptyPrompt() {
        float[][] result = DiffijEngine.get().queue().run("conditioning", ctx -> {
            PromptConditioning conditioning = PromptConditioning.of(ctx.manager(), LENGTHS,
                    StableDiffusionPipeline.parse(List.of("[ab:abc BREAK x:1]", "cat"), 4),
                    StableDiffusionPipeline.parse(List.of("blurry", ""), 4), true, false, null);
            PromptConditioning.Step first = conditioning.at(0);
            PromptConditioning.Step later = conditioning.at(3);
            assertSame(first, conditioning.at(0), "steps with the same prompts share their arrays");
            return new float[][] {first.context().toFloatArray(), later.context().toFloatArray()};
        });
        // Step 0: "ab" until step 1 (of 4), then "abc BREAK x" (two chunks): the others get the empty chunk.
        assertArrayEquals(new float[] {6, 6, 0, 0, 2, 2, 3, 3}, result[0]);
        assertArrayEquals(new float[] {6, 6, 0, 0, 0, 0, 0, 0, 3, 3, 1, 1, 3, 3, 0, 0}, result[1]);
    }

    @Test
    void withoutGuidanceOnlyThePromptsAreEncoded() {
        float[] context = DiffijEngine.get().queue().run("unguided", ctx -> PromptConditioning.of(ctx.manager(),
                LENGTHS, StableDiffusionPipeline.parse(List.of("cat"), 4),
                StableDiffusionPipeline.parse(List.of("never used"), 4), false, false, null).at(0).context().toFloatArray());
        assertArrayEquals(new float[] {3, 3}, context);
    }
}
