package org.diffij.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.diffij.DiffijException;
import org.diffij.io.HostTensor;
import org.diffij.io.SafetensorsFile;
import org.diffij.io.SafetensorsWriter;
import org.diffij.io.pickle.TorchPickleWriter;
import org.diffij.parity.Golden;
import org.diffij.parity.GoldenCase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextualInversionTest {

    static Path embeddings() {
        return Golden.manifest().root().resolve("models/textual_inversion");
    }

    @Test
    void a1111FilesAreNamedByTheirFileUnlessATokenIsGiven() {
        TextualInversion byName = TextualInversion.load(embeddings().resolve("cat-toy-a1111.safetensors"), null);
        assertEquals("cat-toy-a1111", byName.token());
        assertEquals(3, byName.vectorCount());
        assertEquals("<cat-toy>", TextualInversion.load(embeddings().resolve("cat-toy-a1111.safetensors"), "<cat-toy>").token());
    }

    @Test
    void diffusersFilesNameTheirToken() {
        TextualInversion embedding = TextualInversion.load(embeddings().resolve("my-token-diffusers.safetensors"), null);
        assertEquals("<my-token>", embedding.token());
        assertEquals(1, embedding.vectorCount());
        assertEquals(32, embedding.vectorsFor(0, 32)[0].length);
    }

    @Test
    void a1111PicklesGiveTheVectorsOfTheirSafetensorsTwin() {
        TextualInversion pickled = TextualInversion.load(embeddings().resolve("cat-toy-a1111.pt"), null);
        TextualInversion twin = TextualInversion.load(embeddings().resolve("cat-toy-a1111.safetensors"), null);
        assertEquals(twin.token(), pickled.token());
        assertArrayEquals(twin.vectorsFor(0, 32), pickled.vectorsFor(0, 32));
    }

    @Test
    void diffusersLearnedEmbedsBinGivesTheVectorsOfItsSafetensorsTwin(@TempDir Path dir) {
        Path safetensors = embeddings().resolve("my-token-diffusers.safetensors");
        Path bin = dir.resolve("learned_embeds.bin");
        try (SafetensorsFile twin = SafetensorsFile.open(safetensors)) {
            TorchPickleWriter.write(bin, Map.of("<my-token>", twin.read("<my-token>")));
        }
        TextualInversion pickled = TextualInversion.load(bin, null);
        assertEquals("<my-token>", pickled.token());
        assertArrayEquals(TextualInversion.load(safetensors, null).vectorsFor(0, 32), pickled.vectorsFor(0, 32));
    }

    @Test
    void sdxlPairsGiveEachEncoderItsVectors(@TempDir Path dir) {
        Path file = dir.resolve("pair.safetensors");
        SafetensorsWriter.write(file, Map.of(
                "clip_l", HostTensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 4),
                "clip_g", HostTensor.ofFloats(new float[12], 2, 6)), Map.of());
        TextualInversion pair = TextualInversion.load(file, null);
        assertEquals("pair", pair.token());
        assertArrayEquals(new float[] {5, 6, 7, 8}, pair.vectorsFor(0, 4)[1]);
        assertEquals(6, pair.vectorsFor(1, 6)[0].length);
        DiffijException wrongWidth = assertThrows(DiffijException.class, () -> pair.vectorsFor(0, 768));
        assertTrue(wrongWidth.getMessage().contains("768"), wrongWidth.getMessage());
    }

    @Test
    void filesWithoutAnEmbeddingAreRejected(@TempDir Path dir) {
        Path file = dir.resolve("other.safetensors");
        SafetensorsWriter.write(file, Map.of("a", HostTensor.ofFloats(new float[2], 2),
                "b", HostTensor.ofFloats(new float[2], 2)), Map.of());
        assertThrows(DiffijException.class, () -> TextualInversion.load(file, null));
    }

    @Test
    void embeddingsSavedByTrainingLoadBackExactly() {
        for (String name : List.of("textual_inversion_single", "textual_inversion_multi")) {
            GoldenCase training = Golden.golden("training/" + name);
            float[] expected = training.expected("step3.new_rows").toFloatArray();
            Path folder = Golden.manifest().root().resolve("cases/training").resolve(name);
            TextualInversion diffusers = TextualInversion.load(folder.resolve("learned_embeds.safetensors"), null);
            TextualInversion a1111 = TextualInversion.load(folder.resolve("cat-toy.safetensors"), null);
            assertEquals("<cat-toy>", diffusers.token());
            assertEquals("cat-toy", a1111.token());
            for (TextualInversion loaded : List.of(diffusers, a1111)) {
                float[][] rows = loaded.vectorsFor(0, 32);
                float[] flat = new float[rows.length * 32];
                for (int i = 0; i < rows.length; i++) {
                    System.arraycopy(rows[i], 0, flat, i * 32, 32);
                }
                assertArrayEquals(expected, flat, name);
            }
            training.close();
        }
    }

    @Test
    void theOverlayAddsNumberedTokensAndExpandsPrompts() {
        ClipTokenizer base = ClipTokenizerTest.sd15();
        TextualInversion cat = TextualInversion.load(embeddings().resolve("cat-toy-a1111.safetensors"), "<cat-toy>");
        TextualInversion mine = TextualInversion.load(embeddings().resolve("my-token-diffusers.safetensors"), null);
        TokenOverlay overlay = TokenOverlay.of(base, 49408, 32, 0, List.of(cat, mine));
        assertEquals("a <cat-toy> <cat-toy>_1 <cat-toy>_2 and <my-token>",
                overlay.expand("a <cat-toy> and <my-token>"));
        assertArrayEquals(new int[] {320, 49408, 49409, 49410, 49411},
                overlay.tokenizer().tokenize(overlay.expand("a <cat-toy><my-token>")));
        assertEquals(4, overlay.rowCount());
        assertArrayEquals(cat.vectorsFor(0, 32)[2], java.util.Arrays.copyOfRange(overlay.rowValues(), 64, 96));
        assertFalse(base.hasAddedToken("<cat-toy>"));
        assertThrows(DiffijException.class, () -> TokenOverlay.of(base, 49408, 32, 0, List.of(cat, cat)));
    }

    @Test
    void plainNamesAreMatchedAsWholeWordsInAnyCaseLikeA1111() {
        ClipTokenizer base = ClipTokenizerTest.sd15();
        TextualInversion byFileName = TextualInversion.load(embeddings().resolve("cat-toy-a1111.safetensors"), null);
        TokenOverlay overlay = TokenOverlay.of(base, 49408, 32, 0, List.of(byFileName));
        assertEquals("a cat-toy-a1111", overlay.expand("a cat-toy-a1111"));
        assertArrayEquals(new int[] {320, 49408, 49409, 49410, 1125},
                overlay.tokenizer().tokenize("a Cat-Toy-A1111 photo"));
        assertArrayEquals(base.tokenize("a cat-toy photo"), overlay.tokenizer().tokenize("a cat-toy photo"));
        assertArrayEquals(new int[] {49408, 49409, 49410, 267},
                overlay.tokenizer().tokenize("cat-toy-a1111,"));
        assertEquals(49411, overlay.tokenizer().size());
    }
}
