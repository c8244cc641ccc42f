package org.diffij.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.diffij.DiffijException;
import org.diffij.pipelines.GenerationRequest;
import org.junit.jupiter.api.Test;

class SamplePromptTest {

    @Test
    void kohyaOptionsMapToTheGenerationRequest() {
        GenerationRequest r = SamplePrompt.parse("a cat, masterpiece --n bad hands, blurry --w 640 --h 448 --d 42 "
                + "--l 6.5 --s 20 --ss euler_a", "tiny", 7);
        assertEquals("a cat, masterpiece", r.prompt());
        assertEquals("bad hands, blurry", r.negativePrompt());
        assertEquals(640, r.width());
        assertEquals(448, r.height());
        assertEquals(42, r.seed());
        assertEquals(6.5, r.cfgScale());
        assertEquals(20, r.steps());
        assertEquals("Euler a", r.sampler());
        assertEquals("tiny", r.model());
    }

    @Test
    void missingOptionsTakeKohyaDefaultsAndTheRunSeed() {
        GenerationRequest r = SamplePrompt.parse("a dog", "m", 1234);
        assertEquals(GenerationRequest.of("m", "a dog").withSize(512, 512, 1).withSeed(1234).withSampling("DDIM", 30,
                7.5), r);
    }

    @Test
    void badLinesAreNamed() {
        for (String[] c : new String[][] {{"a cat --w wide", "--w needs a whole number"},
                {"a cat --x 3", "unknown option --x"}, {" --w 512", "has no prompt"},
                {"a cat --ss k_dpm_fast", "unknown sampler 'k_dpm_fast'"}, {"a cat --w 5000", "must be 8..4096 pixels"}}) {
            DiffijException e = assertThrows(DiffijException.class, () -> SamplePrompt.parse(c[0], "m", 0), c[0]);
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        }
    }
}
