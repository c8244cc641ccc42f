package org.diffij.pipelines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.diffij.DiffijException;
import org.diffij.image.RgbImage;
import org.diffij.io.HostTensor;
import org.diffij.parity.Golden;
import org.junit.jupiter.api.Test;

/** The cheap latent preview: one pixel per latent, values in [0, 1], the requested image of the batch. */
class LatentPreviewTest {

    private static HostTensor latents(int batch, int height, int width, double scale, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[batch * 4 * height * width];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (scale * random.nextGaussian());
        }
        return HostTensor.ofFloats(values, batch, 4, height, width);
    }

    @Test
    void aPreviewHasOnePixelPerLatentAndValuesInTheUnitRange() {
        for (LatentPreview family : LatentPreview.values()) {
            // Sampler latents start with a standard deviation up to ~15 (Euler's init sigma): far beyond the range.
            RgbImage preview = family.preview(latents(2, 6, 10, 15, 1), 1);
            assertEquals(10, preview.width());
            assertEquals(6, preview.height());
            float min = 1;
            float max = 0;
            for (float v : preview.rgb()) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            assertTrue(min >= 0 && max <= 1, family + ": " + min + ".." + max);
            assertTrue(min == 0 && max == 1, family + ": large latents saturate both ends");
        }
    }

    @Test
    void zeroLatentsAreMidGreyAndTheMixIsLinear() {
        float[] grey = new float[3 * 4 * 4];
        Arrays.fill(grey, 0.5f);
        assertArrayEquals(grey, LatentPreview.SD1.preview(HostTensor.ofFloats(new float[64], 1, 4, 4, 4), 0).rgb());
        HostTensor a = latents(1, 4, 4, 0.2, 2);
        HostTensor b = latents(1, 4, 4, 0.2, 3);
        float[] sum = a.toFloatArray();
        float[] other = b.toFloatArray();
        for (int i = 0; i < sum.length; i++) {
            sum[i] += other[i];
        }
        float[] pa = LatentPreview.SD1.preview(a, 0).rgb();
        float[] pb = LatentPreview.SD1.preview(b, 0).rgb();
        float[] pSum = LatentPreview.SD1.preview(HostTensor.ofFloats(sum, 1, 4, 4, 4), 0).rgb();
        for (int i = 0; i < pSum.length; i++) {
            assertEquals(pa[i] - 0.5f + pb[i] - 0.5f, pSum[i] - 0.5f, 1e-5f, "small latents stay unclamped and linear");
        }
    }

    @Test
    void eachImageOfTheBatchAndEachFamilyHasItsOwnPreview() {
        HostTensor batch = latents(2, 5, 5, 0.5, 4);
        assertFalse(Arrays.equals(LatentPreview.SD1.preview(batch, 0).rgb(), LatentPreview.SD1.preview(batch, 1).rgb()));
        assertFalse(Arrays.equals(LatentPreview.SD1.preview(batch, 0).rgb(), LatentPreview.SDXL.preview(batch, 0).rgb()));
    }

    @Test
    void wrongLatentsAreRefused() {
        assertThrows(DiffijException.class, () -> LatentPreview.SD1.preview(latents(1, 4, 4, 1, 5), 1));
        assertThrows(DiffijException.class,
                () -> LatentPreview.SD1.preview(HostTensor.ofFloats(new float[48], 1, 3, 4, 4), 0));
    }

    @Test
    void theGeneratorHandsOutAPreviewAfterEveryStep() {
        Path model = Golden.manifest().modelPath("tiny-sd15");
        GenerationRequest request = GenerationRequest.of(model.toString(), "a photo of a cat")
                .withSampling("Euler a", 3, 7).withSeed(7).withSize(64, 64, 1);
        List<Integer> steps = new ArrayList<>();
        List<RgbImage> previews = new ArrayList<>();
        new Generator(Generator.byPath(), null, "test").submit(request, source -> {
            throw new DiffijException("no images");
        }, null, (step, total, preview) -> {
            assertEquals(3, total);
            steps.add(step);
            previews.add(preview);
        }).await();
        assertEquals(List.of(1, 2, 3), steps);
        for (RgbImage preview : previews) {
            assertEquals(32, preview.width(), "the tiny VAE halves the size: one pixel per latent");
            assertEquals(32, preview.height());
        }
        assertFalse(Arrays.equals(previews.get(0).rgb(), previews.get(2).rgb()), "the preview follows the steps");
    }
}
