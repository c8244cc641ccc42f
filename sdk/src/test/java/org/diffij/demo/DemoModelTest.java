package org.diffij.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.diffij.demo.ShapesWorld.Content;
import org.diffij.hub.BuiltInModels;
import org.diffij.pipelines.Generator;
import org.junit.jupiter.api.Test;

/** The demo model that ships in the jar: found by name, a diffusers folder, and it draws what it is asked. */
class DemoModelTest {

    private static final Generator GENERATOR = new Generator(Generator.byPath(), null, "test");

    @Test
    void theNameDemoIsTheShippedDiffusersFolder() {
        Path folder = Generator.byPath().apply(BuiltInModels.DEMO);
        for (String part : List.of("model_index.json", "scheduler/scheduler_config.json", "tokenizer/vocab.json",
                "text_encoder/model.safetensors", "vae/diffusion_pytorch_model.safetensors",
                "unet/diffusion_pytorch_model.safetensors", BuiltInModels.SUMS)) {
            assertTrue(Files.isRegularFile(folder.resolve(part)), part);
        }
        assertEquals(ShapesWorld.SIZE, GENERATOR.nativeSide(BuiltInModels.DEMO),
                "generation defaults to the model's own 64x64");
    }

    /**
     * Four seeds of each of the 24 captions (the quality goal, `diffij demo quality`, takes 64 and
     * reaches the share in the README); far fewer images, so a looser bound.
     */
    @Test
    void mostImagesShowTheShapeColourAndBackgroundTheirCaptionAsks() {
        ShapesQuality.Tally tally = ShapesQuality.world(GENERATOR, BuiltInModels.DEMO, 4, 1000, "");
        assertEquals(4 * Content.world().size(), tally.images());
        assertTrue(tally.rightShare() >= 0.75, "right: " + tally.rightShare());
    }
}
