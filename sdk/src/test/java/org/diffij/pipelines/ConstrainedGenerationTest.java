package org.diffij.pipelines;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.diffij.DiffijException;
import org.diffij.engine.DiffijEngine;
import org.diffij.io.Json;
import org.diffij.models.vae.AutoencoderKLConfig;
import org.diffij.parity.Golden;
import org.junit.jupiter.api.Test;

/**
 * A generation under a tiny memory budget slices its attention and tiles its VAE by itself, and
 * its image stays the unconstrained one: identical up to rounding with slicing alone, close with
 * tiles (see {@link VaeTilingTest} for why tiles differ a little).
 */
class ConstrainedGenerationTest {

    private static float[] generate(Map<String, String> settings) {
        settings.forEach(System::setProperty);
        try {
            String model = Golden.manifest().modelPath("tiny-sd15").toString();
            GenerationRequest request = GenerationRequest.of(model, "a photo of a cat")
                    .withNegativePrompt("blurry").withSampling("DDIM", 3, 7).withSeed(11).withSize(64, 64, 1);
            return new Generator(Generator.byPath(), null, "test").submit(request, source -> {
                throw new DiffijException("no images");
            }, null).await().images().get(0).rgb();
        } finally {
            settings.keySet().forEach(System::clearProperty);
        }
    }

    @Test
    void aTinyBudgetSlicesAndTilesAutomaticallyAndKeepsTheImage() {
        Map<String, String> tiny = Map.of("diffij.memory.budget", "1m", "diffij.vae.tile", "16");
        MemoryPlan plan = planFor(tiny);
        assertTrue(plan.tiled(), plan.describe());
        // The tiny UNet's 16x16-latent attention: batch 2 (guidance) x 8 heads x 256^2 scores = 4 MiB > 1/4 MiB.
        assertTrue(plan.attention().rowsPerSlice(2, 8, 256, 256, Float.BYTES) < 256, plan.describe());

        float[] unconstrained = generate(Map.of());
        float[] sliced = generate(Map.of("diffij.memory.budget", "1m", "diffij.vae.tiling", "off"));
        float[] slicedAndTiled = generate(tiny);
        double slicing = relativeRms(sliced, unconstrained);
        double tiling = relativeRms(slicedAndTiled, unconstrained);
        assertTrue(slicing < 1e-5, "sliced attention changed the image by " + slicing);
        assertTrue(tiling < 0.2, "tiles changed the image by " + tiling);
    }

    private static MemoryPlan planFor(Map<String, String> settings) {
        AutoencoderKLConfig vae = AutoencoderKLConfig.from(Json.readObject(Golden.manifest().modelPath("tiny-sd15")
                .resolve("vae/config.json")));
        DiffijEngine.get();
        settings.forEach(System::setProperty);
        try {
            return MemoryPlan.of(MemorySettings.fromEnvironment(), vae, 1, 64, 64);
        } finally {
            settings.keySet().forEach(System::clearProperty);
        }
    }

    private static double relativeRms(float[] values, float[] reference) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < values.length; i++) {
            diff += (double) (values[i] - reference[i]) * (values[i] - reference[i]);
            norm += (double) reference[i] * reference[i];
        }
        return Math.sqrt(diff / norm);
    }
}
