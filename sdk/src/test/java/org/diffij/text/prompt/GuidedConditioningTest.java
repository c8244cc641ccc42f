package org.diffij.text.prompt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.types.Shape;
import org.diffij.engine.DiffijEngine;
import org.junit.jupiter.api.Test;

class GuidedConditioningTest {

    @Test
    void eachStepPairsTheSchedulesAndPadsTheShorterWithTheEmptyPrompt() {
        float[][] result = DiffijEngine.get().queue().run("guided", ctx -> {
            // A stand-in encoder: one 2-token chunk per BREAK-separated part, filled with the part's length.
            PromptEncoder encoder = (manager, prompt) -> {
                String[] parts = prompt.split(" BREAK ", -1);
                float[] values = new float[parts.length * 2];
                for (int i = 0; i < parts.length; i++) {
                    values[2 * i] = parts[i].length();
                    values[2 * i + 1] = parts[i].length();
                }
                return new PromptEncoder.Conditioning(manager.create(values, new Shape(1, parts.length * 2, 1)), null);
            };
            GuidedConditioning guided = GuidedConditioning.encode(ctx.manager(), encoder,
                    A1111Prompt.parse("[ab:abc BREAK x:1]", 4), A1111Prompt.parse("blurry", 4));
            GuidedConditioning.Step first = guided.at(0);
            GuidedConditioning.Step later = guided.at(3);
            return new float[][] {first.positive().embeds().toFloatArray(), first.negative().embeds().toFloatArray(),
                later.positive().embeds().toFloatArray(), later.negative().embeds().toFloatArray()};
        });
        assertArrayEquals(new float[] {2, 2}, result[0]);
        assertArrayEquals(new float[] {6, 6}, result[1]);
        assertArrayEquals(new float[] {3, 3, 1, 1}, result[2]);
        assertArrayEquals(new float[] {6, 6, 0, 0}, result[3]);
    }
}
