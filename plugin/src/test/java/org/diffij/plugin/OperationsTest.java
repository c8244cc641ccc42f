package org.diffij.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.diffij.pipelines.GenerationRequest;
import org.junit.jupiter.api.Test;

class OperationsTest {

    @Test
    void aReRunNamesTheModelAndEachLoraAndEmbeddingWhoseFileChangedSinceTheImageWasMade() {
        String model = "a".repeat(64);
        GenerationRequest recorded = GenerationRequest.of("m", "a cat <lora:style:1> <lora:grain:0.5>")
                .withModelHash(model).withLoraHashes(Map.of("style", "01234567", "grain", "ba987654"));
        GenerationRequest same = recorded.withLoraHashes(Map.of("style", "0123456789abcdef", "grain",
                "ba9876543210ffff"));
        assertEquals(List.of(), Operations.changedFiles(recorded, same), "shorter hashes (8 digits, as some A1111 "
                + "forks write) start the 12 digits");
        assertEquals(List.of(), Operations.changedFiles(recorded.withModelHash(model.substring(0, 10)), same));
        GenerationRequest retrained = same.withModelHash("b".repeat(64)).withLoraHashes(Map.of("style",
                "0123456789ab", "grain", "ffff00001111"));
        assertEquals(List.of("the model's weights differ from those recorded (SHA-256 " + model + " then, "
                + "b".repeat(64) + " now): the image will differ", "the LoRA grain differs from the one recorded "
                + "(hash ba987654 then, ffff00001111 now): the image will differ"),
                Operations.changedFiles(recorded, retrained));

        GenerationRequest withEmbedding = GenerationRequest.of("m", "a cat-toy").withEmbeddingHashes(
                Map.of("cat-toy", "0a1b2c3d4e5f"));
        assertEquals(List.of(), Operations.changedFiles(withEmbedding, withEmbedding.withEmbeddingHashes(
                Map.of("cat-toy", "0a1b2c3d4e5f6789"))));
        assertEquals(List.of("the embedding cat-toy differs from the one recorded (hash 0a1b2c3d4e5f then, "
                + "999999999999 now): the image will differ"), Operations.changedFiles(withEmbedding,
                withEmbedding.withEmbeddingHashes(Map.of("cat-toy", "999999999999"))));
    }
}
