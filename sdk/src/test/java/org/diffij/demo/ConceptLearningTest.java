package org.diffij.demo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.diffij.hub.BuiltInModels;
import org.diffij.pipelines.Generator;
import org.diffij.training.Trainer;
import org.diffij.training.TrainingRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training teaches: the demo model has never seen an orange ring, and a short LoRA run on six
 * examples (and the base-world regularisation images) makes many generations of {@code a sks on a white background} one — read by the
 * evaluator, against the base model's rate (the fast variant of {@code diffij bench concepts}).
 */
class ConceptLearningTest {

    private static final int SEEDS = 16;

    @TempDir
    Path dir;

    @Test
    void aShortLoraRunTeachesTheOrangeRing() throws Exception {
        Generator generator = new Generator(Generator.byPath(), null, "test");
        double before = SksConcept.rate(generator, BuiltInModels.DEMO, "", SEEDS, 0);
        Path data = dir.resolve("data");
        SksConcept.writeData(data, SksConcept.LORA, 0);
        Path lora = dir.resolve("sks.safetensors");
        Trainer.Result result = new Trainer(Generator.byPath(), null, "test").submit(TrainingRequest.fromMacroOptions(
                "model=[demo] data=[" + data + "] output=[" + lora + "] " + SksConcept.LORA.options()
                        + " resolution=64 seed=0"), null, false, null, null).await();
        assertTrue(result.finished());
        double after = SksConcept.rate(generator, BuiltInModels.DEMO, "adapters=[lora|" + lora + "|1]", SEEDS, 0);
        assertTrue(before <= 0.05, "the base model draws no orange rings: " + before);
        assertTrue(after >= 0.3, "after the LoRA run " + after + " of the images show the concept (before: "
                + before + ")");
    }
}
