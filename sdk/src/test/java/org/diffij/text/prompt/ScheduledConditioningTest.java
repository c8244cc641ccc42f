package org.diffij.text.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.diffij.engine.DiffijEngine;
import org.junit.jupiter.api.Test;

class ScheduledConditioningTest {

    @Test
    void eachDistinctTextIsEncodedOnceAndPickedByStep() {
        List<String> encoded = new ArrayList<>();
        float[] picked = DiffijEngine.get().queue().run("schedule", ctx -> {
            PromptEncoder encoder = (manager, prompt) -> {
                encoded.add(prompt);
                return new PromptEncoder.Conditioning(manager.full(new Shape(1, 77, 4), (float) prompt.length()), null);
            };
            PromptSchedule schedule = PromptSchedule.parse("[cow|horse] [a:bb:2]", 4);
            ScheduledConditioning conditioning = ScheduledConditioning.encode(ctx.manager(), encoder, schedule);
            float[] values = new float[5];
            for (int step = 0; step < 5; step++) {
                values[step] = conditioning.at(step).embeds().getFloat(0, 0, 0);
            }
            return values;
        });
        // entries: 1 "cow a", 2 "horse a", 3 "cow bb", 4 "horse bb"; step index i uses the first entry ending at >= i.
        assertEquals(List.of("cow a", "horse a", "cow bb", "horse bb"), encoded);
        assertEquals(5f, picked[0]);
        assertEquals(5f, picked[1]);
        assertEquals(7f, picked[2]);
        assertEquals(6f, picked[3]);
        assertEquals(8f, picked[4]);
    }
}
