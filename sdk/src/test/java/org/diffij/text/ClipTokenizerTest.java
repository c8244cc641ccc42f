package org.diffij.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.diffij.DiffijException;
import org.diffij.parity.Golden;
import org.junit.jupiter.api.Test;

class ClipTokenizerTest {

    static Path folder(String model, String component) {
        return Golden.manifest().modelPath(model).resolve(component);
    }

    static ClipTokenizer sd15() {
        return ClipTokenizer.load(folder("tiny-sd15", "tokenizer"));
    }

    @Test
    void encodesThePhraseOpenAiDocuments() {
        assertArrayEquals(new int[] {49406, 320, 1125, 539, 320, 2368, 49407}, sd15().encode("a photo of a cat"));
    }

    @Test
    void caseAndWhitespaceDoNotMatter() {
        ClipTokenizer tokenizer = sd15();
        assertArrayEquals(tokenizer.encode("a photo of a cat"), tokenizer.encode("  A \t PHOTO\n of a  Cat "));
    }

    @Test
    void truncatesToSeventySevenAndPadsWithThePadToken() {
        ClipTokenizer tokenizer = sd15();
        String longPrompt = "cat ".repeat(100);
        TokenizedPrompt padded = tokenizer.encodePadded(longPrompt);
        assertEquals(77, padded.ids().length);
        assertEquals(102, padded.untruncatedLength());
        assertTrue(padded.truncated());
        assertEquals(tokenizer.endId(), padded.ids()[76]);
        TokenizedPrompt empty = tokenizer.encodePadded("");
        assertEquals(tokenizer.startId(), empty.ids()[0]);
        assertEquals(tokenizer.endId(), empty.ids()[1]);
        assertEquals(tokenizer.padId(), empty.ids()[2]);
        assertEquals(1, empty.attentionMask()[1]);
        assertEquals(0, empty.attentionMask()[2]);
    }

    @Test
    void readsThePadTokenOfTheFolder() {
        assertEquals(49407, sd15().padId());
        assertEquals(0, ClipTokenizer.load(folder("tiny-sdxl", "tokenizer_2")).padId());
    }

    @Test
    void specialTokensWrittenInTheTextAreMatchedLiterally() {
        ClipTokenizer tokenizer = sd15();
        int[] ids = tokenizer.tokenize("x<|endoftext|>y");
        assertEquals(3, ids.length);
        assertEquals(tokenizer.endId(), ids[1]);
    }

    @Test
    void addedTokensFormAnOverlayAndTheLongestMatchWins() {
        ClipTokenizer base = sd15();
        ClipTokenizer overlay = base.withAddedTokens(Map.of("<cat-toy>", 49408, "<cat-toy>_1", 49409));
        int[] ids = overlay.tokenize("a <cat-toy> <cat-toy>_1");
        assertArrayEquals(new int[] {320, 49408, 49409}, ids);
        assertFalse(base.hasAddedToken("<cat-toy>"));
        assertEquals(49408, base.size());
        assertEquals(49410, overlay.size());
        assertTrue(base.tokenize("a <cat-toy>").length > 2);
    }

    @Test
    void refusesAnAddedTokenThatIsAlreadyAWord() {
        assertThrows(DiffijException.class, () -> sd15().withAddedTokens(Map.of("cat</w>", 5)));
    }

    @Test
    void aMissingFolderIsAClearError() {
        DiffijException e = assertThrows(DiffijException.class, () -> ClipTokenizer.load(Path.of("/no/such/tok")));
        assertTrue(e.getMessage().contains("/no/such/tok"));
    }
}
