package org.diffij.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Random;
import org.diffij.DiffijException;
import org.diffij.image.RgbImage;
import org.diffij.parity.Golden;
import org.junit.jupiter.api.Test;

/** Inpainting keeps the source's own pixels outside the mask, pixel for pixel, whole picture and only masked. */
class InpaintCompositeTest {

    /** A noisy source in 8-bit steps, as images read from files are. */
    private static RgbImage source(int width, int height) {
        Random random = new Random(7);
        float[] rgb = new float[3 * width * height];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = random.nextInt(256) / 255f;
        }
        return new RgbImage(width, height, rgb);
    }

    /** A hard disc with a linear soft edge of {@code band} pixels outside it (a feathered selection). */
    private static RgbImage disc(int width, int height, double cx, double cy, double radius, double band) {
        float[] rgb = new float[3 * width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
                float m = d <= radius ? 1f : (float) Math.max(0, 1 - (d - radius) / band);
                m = Math.round(m * 255) / 255f;
                for (int c = 0; c < 3; c++) {
                    rgb[3 * (y * width + x) + c] = m;
                }
            }
        }
        return new RgbImage(width, height, rgb);
    }

    private static GenerationRequest tiny() {
        Path model = Golden.manifest().modelPath("tiny-sd15");
        return GenerationRequest.of(model.toString(), "a photo of a cat").withSampling("Euler", 3, 7).withSeed(42);
    }

    private static RgbImage generate(GenerationRequest request, RgbImage photo, RgbImage mask) {
        ImageSources sources = name -> name.equals("photo") ? photo : mask;
        return new Generator(Generator.byPath(), null, "test").submit(request, sources, null).await().images().get(0);
    }

    /** Counts pixels by mask value, asserting the source's exact values wherever the mask is 0. */
    private static int[] compare(RgbImage photo, RgbImage mask, RgbImage result) {
        assertEquals(photo.width(), result.width());
        assertEquals(photo.height(), result.height());
        int[] packedPhoto = photo.toPackedRgb();
        int[] packedResult = result.toPackedRgb();
        float[] m = mask.luminance();
        int kept = 0;
        int changedInside = 0;
        for (int i = 0; i < m.length; i++) {
            if (m[i] == 0) {
                assertEquals(packedPhoto[i], packedResult[i], "pixel " + i % photo.width() + "," + i / photo.width()
                        + " lies outside the mask and must be the source's");
                kept++;
            } else if (m[i] == 1 && packedPhoto[i] != packedResult[i]) {
                changedInside++;
            }
        }
        return new int[] {kept, changedInside};
    }

    @Test
    void theWholePictureKeepsEveryPixelOutsideTheFeatheredMask() {
        RgbImage photo = source(64, 64);
        RgbImage mask = disc(64, 64, 32, 32, 12, 6);
        RgbImage result = generate(tiny().withSize(64, 64, 1).withInit("photo", "mask", 1), photo, mask);
        int[] counts = compare(photo, mask, result);
        assertTrue(counts[0] > 64 * 64 / 2, "most pixels lie outside the mask: " + counts[0]);
        assertTrue(counts[1] > 300, "the masked area is repainted: " + counts[1] + " pixels changed");
    }

    @Test
    void onlyMaskedGeneratesAroundTheMaskAtFullResolutionAndPastesItBack() {
        RgbImage photo = source(160, 120);
        RgbImage mask = disc(160, 120, 110, 40, 8, 4);
        GenerationRequest request = tiny().withSize(64, 64, 1).withInit("photo", "mask", 0.9).withOnlyMasked(8);
        RgbImage result = generate(request, photo, mask);
        int[] counts = compare(photo, mask, result);
        assertTrue(counts[1] > 100, "the masked area is repainted: " + counts[1] + " pixels changed");
        GenerationRequest back = Infotext.parse(Infotext.format(request, "test"));
        assertEquals(8, back.onlyMaskedPadding());
        assertTrue(Infotext.format(request, "test").contains("Inpaint area: Only masked, Masked area padding: 8"));
    }

    @Test
    void theCropIsTheMaskBoxPaddedAndWidenedToTheGenerationAspectWithinTheImage() {
        float[] mask = new float[100 * 50];
        for (int y = 20; y < 30; y++) {
            for (int x = 40; x < 50; x++) {
                mask[y * 100 + x] = 1;
            }
        }
        // 10x10 box + 5 padding = 20x20 at (35,15); a 2:1 generation widens it about its centre to 40x20.
        assertEquals(new InpaintComposite.Crop(25, 15, 40, 20), InpaintComposite.Crop.around(mask, 100, 50, 5, 128, 64));
        // Padding beyond the edges stops at them; 1:2 asks for 100 high, only 50 exist.
        assertEquals(new InpaintComposite.Crop(0, 0, 100, 50), InpaintComposite.Crop.around(mask, 100, 50, 60, 64,
                128));
        // Near the right edge the widened span moves left to stay inside.
        float[] edge = new float[100 * 50];
        edge[25 * 100 + 99] = 1;
        assertEquals(new InpaintComposite.Crop(82, 21, 18, 9), InpaintComposite.Crop.around(edge, 100, 50, 4, 128,
                64));
        assertThrows(DiffijException.class, () -> InpaintComposite.Crop.around(new float[100 * 50], 100, 50, 4, 64, 64));
    }

    @Test
    void theFeatheredBandBlendsAndTheCoreIsTheGeneratedImage() {
        RgbImage photo = new RgbImage(4, 1, new float[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        float[] mask = {0, 0.25f, 0.5f, 1};
        RgbImage generated = new RgbImage(4, 1, new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1});
        float[] out = new InpaintComposite(photo, mask, null).apply(generated).rgb();
        assertEquals(0f, out[0]);
        assertEquals(0.5f, out[3], 1e-6f);
        assertEquals(1f, out[6]);
        assertEquals(1f, out[9]);
    }
}
