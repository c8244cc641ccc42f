package org.diffij.models.unet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import org.diffij.DiffijException;
import org.diffij.engine.DiffijEngine;
import org.diffij.io.Json;
import org.diffij.models.vae.AutoencoderKL;
import org.diffij.parity.Golden;
import org.junit.jupiter.api.Test;

/** Wrong shapes, missing SDXL conditions and unsupported configs are rejected with a message saying what is wrong. */
class UNetInputsTest {

    private static Path model(String name) {
        return Golden.manifest().modelPath(name);
    }

    private static String failure(String model, Shape sample, Shape context, boolean withAdded) {
        Path folder = model(model).resolve("unet");
        DiffijException e = assertThrows(DiffijException.class, () -> DiffijEngine.get().queue().run("bad", ctx -> {
            NDManager m = ctx.manager();
            UNet2DConditionModel unet = UNet2DConditionModel.load(folder, m, ctx.engine().computeType());
            AddedConditions added = withAdded ? new AddedConditions(m.zeros(new Shape(1, 5)), m.zeros(new Shape(1, 6)))
                    : null;
            return unet.forward(m.zeros(sample), m.create(new float[] {1}), m.zeros(context), added, null);
        }));
        return e.getMessage();
    }

    @Test
    void wrongSampleChannelsAreRejected() {
        String message = failure("tiny-sd15", new Shape(1, 3, 8, 8), new Shape(1, 77, 32), false);
        assertTrue(message.contains("UNet sample has shape (1, 3, 8, 8); expected (batch, 4, height, width)"), message);
    }

    @Test
    void contextOfAnotherModelIsRejected() {
        String message = failure("tiny-sd15", new Shape(1, 4, 8, 8), new Shape(1, 77, 64), false);
        assertTrue(message.contains("expected (1, tokens, 32)"), message);
    }

    @Test
    void sdxlNeedsItsAddedConditionsOfTheRightSize() {
        String missing = failure("tiny-sdxl", new Shape(1, 4, 8, 8), new Shape(1, 77, 64), false);
        assertTrue(missing.contains("needs text_embeds and time_ids"), missing);
        String wrong = failure("tiny-sdxl", new Shape(1, 4, 8, 8), new Shape(1, 77, 64), true);
        assertTrue(wrong.contains("this UNet expects (1, 80)"), wrong);
    }

    @Test
    void unsupportedConfigValuesAreNamed() {
        JsonObject config = Json.readObject(model("tiny-sd15").resolve("unet/config.json"));
        config.addProperty("class_embed_type", "timestep");
        DiffijException e = assertThrows(DiffijException.class, () -> UNet2DConditionConfig.from(config));
        assertEquals("UNet2DConditionModel: config.json \"class_embed_type\" = timestep is not supported "
                + "(only null is)", e.getMessage());
    }

    @Test
    void vaeRejectsImagesNotDivisibleByItsScale() {
        Path folder = model("tiny-sd15").resolve("vae");
        DiffijException e = assertThrows(DiffijException.class, () -> DiffijEngine.get().queue().run("bad", ctx -> {
            AutoencoderKL vae = AutoencoderKL.load(folder, ctx.manager(), ctx.engine().computeType());
            return vae.encode(ctx.manager().zeros(new Shape(1, 3, 63, 64)));
        }));
        assertTrue(e.getMessage().contains("multiples of 2"), e.getMessage());
    }
}
