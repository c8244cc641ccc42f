package org.diffij.text.prompt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.diffij.parity.Golden;
import org.diffij.text.ClipTokenizer;
import org.junit.jupiter.api.Test;

class PromptChunksTest {

    static ClipTokenizer tokenizer(String model, String folder) {
        return ClipTokenizer.load(Golden.manifest().modelPath(model).resolve(folder));
    }

    static List<PromptChunks.Chunk> chunks(ClipTokenizer tokenizer, String prompt) {
        return PromptChunks.of(tokenizer, AttentionParser.parse(prompt));
    }

    @Test
    void plainPromptsGiveTheDiffusersIdsForEitherPadToken() {
        for (ClipTokenizer tokenizer : List.of(tokenizer("tiny-sd15", "tokenizer"), tokenizer("tiny-sdxl", "tokenizer_2"))) {
            for (String prompt : List.of("a photo of a cat", "", "Hello, World!!")) {
                List<PromptChunks.Chunk> chunks = chunks(tokenizer, prompt);
                assertEquals(1, chunks.size());
                assertArrayEquals(tokenizer.encodePadded(prompt).ids(), chunks.get(0).ids(), prompt);
                assertTrue(chunks.get(0).isUnweighted());
            }
        }
    }

    @Test
    void weightsFollowTheirTokens() {
        ClipTokenizer tokenizer = tokenizer("tiny-sd15", "tokenizer");
        PromptChunks.Chunk chunk = chunks(tokenizer, "a (cat:1.5) [dog]").get(0);
        assertArrayEquals(tokenizer.encodePadded("a cat dog").ids(), chunk.ids());
        assertArrayEquals(new float[] {1f, 1f, 1.5f, (float) (1 / 1.1), 1f, 1f}, Arrays.copyOf(chunk.weights(), 6));
    }

    @Test
    void breakAndLongPromptsMakeMoreChunks() {
        ClipTokenizer tokenizer = tokenizer("tiny-sd15", "tokenizer");
        List<PromptChunks.Chunk> broken = chunks(tokenizer, "a cat BREAK a dog");
        assertEquals(2, broken.size());
        assertArrayEquals(tokenizer.encodePadded("a dog").ids(), broken.get(1).ids());
        List<PromptChunks.Chunk> longer = chunks(tokenizer, "cat ".repeat(100));
        assertEquals(2, longer.size());
        assertArrayEquals(tokenizer.encodePadded("cat ".repeat(75)).ids(), longer.get(0).ids());
        assertArrayEquals(tokenizer.encodePadded("cat ".repeat(25)).ids(), longer.get(1).ids());
    }

    @Test
    void textAfterARecentCommaMovesToTheNextChunk() {
        ClipTokenizer tokenizer = tokenizer("tiny-sd15", "tokenizer");
        String prompt = "cat ".repeat(70) + ", " + "dog ".repeat(10);
        List<PromptChunks.Chunk> chunks = chunks(tokenizer, prompt);
        assertArrayEquals(tokenizer.encodePadded("cat ".repeat(70) + ",").ids(), chunks.get(0).ids());
        assertArrayEquals(tokenizer.encodePadded("dog ".repeat(10)).ids(), chunks.get(1).ids());
        List<PromptChunks.Chunk> noBacktrack = PromptChunks.of(tokenizer, AttentionParser.parse(prompt), 0);
        assertArrayEquals(tokenizer.encodePadded("dog ".repeat(6)).ids(), noBacktrack.get(1).ids());
    }

    @Test
    void anEmbeddingsVectorsStayInOneChunk() {
        ClipTokenizer tokenizer = tokenizer("tiny-sd15", "tokenizer")
                .withAddedTokens(Map.of("<t>", 49408, "<t>_1", 49409, "<t>_2", 49410));
        List<PromptChunks.Chunk> chunks = chunks(tokenizer, "cat ".repeat(74) + "<t> <t>_1 <t>_2");
        assertEquals(2, chunks.size());
        assertEquals(49407, chunks.get(0).ids()[75]);
        assertArrayEquals(new long[] {49406, 49408, 49409, 49410, 49407}, Arrays.copyOf(chunks.get(1).ids(), 5));
    }
}
