package org.diffij.plugin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import ij.ImagePlus;
import java.nio.file.Path;
import java.util.Arrays;
import org.diffij.DiffijException;
import org.diffij.io.Json;
import org.diffij.pipelines.GenerationRequest;
import org.diffij.pipelines.GenerationResult;
import org.diffij.pipelines.Generator;
import org.diffij.pipelines.ImageSources;
import org.junit.jupiter.api.Test;

/** The {@code preview} option, headless against the tiny SD 1.5 model: a live view that changes nothing. */
class LivePreviewTest {

    private static final String OPTIONS = "model=[" + HeadlessImageJ.model("tiny-sd15") + "] prompt=[a red cat] "
            + "negative=[blurry] sampler=[Euler a] steps=3 cfg=7 seed=11 width=64 height=64 batch=1";

    private static final ImageSources NO_SOURCES = source -> {
        throw new DiffijException("no sources");
    };

    private static LivePreview read(String options) {
        CommandParameters parameters = CommandParameters.forOptions("Generate", options);
        RequestFields.declare(parameters, 512, 512);
        LivePreview.declare(parameters);
        RequestFields.read("Generate", parameters);
        return LivePreview.read(parameters);
    }

    @Test
    void theCheckboxIsTheMacroKeyPreviewAndOffByDefault() {
        assertNotNull(read(OPTIONS + " preview"));
        assertNull(read(OPTIONS));
        assertNull(read(""));
    }

    @Test
    void everyStepUpdatesThePreviewAtLatentSizeAndTheResultIsTheSame() {
        GenerationRequest request = GenerationRequest.fromMacroOptions(OPTIONS);
        Generator generator = new Generator(Generator.byPath(), null, "test");
        LivePreview preview = new LivePreview();
        GenerationResult previewed;
        try (preview) {
            previewed = GenerationRun.run("Generate", generator, request, NO_SOURCES, preview);
        }
        assertEquals(request.steps(), preview.updates(), "one update per step");
        ImagePlus image = preview.image();
        assertEquals(LivePreview.TITLE, image.getTitle());
        int factor = 1 << (Json.readObject(Path.of(HeadlessImageJ.model("tiny-sd15"), "vae", "config.json"))
                .getAsJsonArray("block_out_channels").size() - 1);
        assertEquals(64 / factor, image.getWidth(), "one pixel per latent (the VAE's scale factor is " + factor + ")");
        assertEquals(64 / factor, image.getHeight());
        assertEquals(24, image.getBitDepth());
        int[] pixels = (int[]) image.getProcessor().getPixels();
        assertEquals(2, Arrays.stream(pixels).distinct().limit(2).count(), "the preview shows the latents, not a blank");

        GenerationResult plain = GenerationRun.run("Generate", generator, request, NO_SOURCES, null);
        assertArrayEquals(plain.images().get(0).toPackedRgb(), previewed.images().get(0).toPackedRgb());
        assertEquals(plain.parameters(), previewed.parameters());
    }

    @Test
    void theCommandGivesTheSameImageAndProvenanceWithAndWithoutPreview() {
        ImagePlus plain = new GenerateCommand().apply(null, OPTIONS);
        ImagePlus previewed = new GenerateCommand().apply(null, OPTIONS + " preview");
        assertArrayEquals((int[]) plain.getProcessor().getPixels(), (int[]) previewed.getProcessor().getPixels());
        assertEquals(plain.getProp(Provenance.PARAMETERS), previewed.getProp(Provenance.PARAMETERS));
        assertEquals(plain.getProperty("Info"), previewed.getProperty("Info"));
    }
}
