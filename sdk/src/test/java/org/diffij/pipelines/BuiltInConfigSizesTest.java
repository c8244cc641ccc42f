package org.diffij.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.diffij.engine.DiffijEngine;
import org.diffij.hub.BuiltInConfigs;
import org.diffij.hub.ClipVocabularies;
import org.diffij.hub.ClipVocabulary;
import org.diffij.hub.SingleFileConfigs.Architecture;
import org.diffij.io.ModelFolder;
import org.diffij.models.clip.ClipTextConfig;
import org.diffij.models.clip.ClipTextModel;
import org.diffij.models.unet.UNet2DConditionConfig;
import org.diffij.models.unet.UNet2DConditionModel;
import org.diffij.models.vae.AutoencoderKL;
import org.diffij.models.vae.AutoencoderKLConfig;
import org.diffij.nn.ParameterLoader;
import org.diffij.nn.ParameterizedModel;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in configs build the public models: every architecture's UNet, VAE and text encoders,
 * built one at a time with random float16 weights (SDXL's UNet alone is 5 GB) and freed, have the
 * parameter counts of the published checkpoints. Minutes: only with -Pslow.
 */
@Tag("slow")
class BuiltInConfigSizesTest {

    private static final long SD15_UNET = 859_520_964L;
    private static final long SD21_UNET = 865_910_724L;
    private static final long SDXL_UNET = 2_567_463_684L;
    private static final long VAE = 83_653_863L;
    private static final long CLIP_VIT_L = 123_060_480L;
    private static final long OPEN_CLIP_VIT_H_23_LAYERS = 340_387_840L;
    private static final long CLIP_BIG_G_WITH_PROJECTION = 694_659_840L;
    /** An inpainting UNet's first convolution reads 5 more channels (mask and masked image): 5 x 320 x 3 x 3. */
    private static final long INPAINTING_EXTRA = 5L * 320 * 3 * 3;

    @TempDir
    Path dir;

    @Test
    void everyArchitectureBuildsThePublicModelsParameterCounts() throws IOException {
        Path vocabulary = ClipVocabularies.write(dir.resolve("vocabulary"), ClipVocabulary.SIZE);
        Map<Architecture, Long> unets = new LinkedHashMap<>();
        unets.put(Architecture.SD1, SD15_UNET);
        unets.put(Architecture.SD1_INPAINTING, SD15_UNET + INPAINTING_EXTRA);
        unets.put(Architecture.SD2, SD21_UNET);
        unets.put(Architecture.SD2_BASE, SD21_UNET);
        unets.put(Architecture.SD2_INPAINTING, SD21_UNET + INPAINTING_EXTRA);
        unets.put(Architecture.SDXL, SDXL_UNET);
        unets.put(Architecture.SDXL_INPAINTING, SDXL_UNET + INPAINTING_EXTRA);
        for (Map.Entry<Architecture, Long> expected : unets.entrySet()) {
            Architecture architecture = expected.getKey();
            Path folder = BuiltInConfigs.installed(architecture, vocabulary, dir.resolve("home"));
            ModelFolder model = ModelFolder.open(folder);
            UNet2DConditionConfig unet = UNet2DConditionConfig.from(model.component("unet").config());
            AutoencoderKLConfig vae = AutoencoderKLConfig.from(model.component("vae").config());
            ClipTextConfig text = ClipTextConfig.read(folder.resolve("text_encoder/config.json"));
            boolean sd2 = architecture.isSd2();
            String label = architecture.label();

            assertEquals(expected.getValue(), parameters(label + " UNet", l -> new UNet2DConditionModel(unet, l)), label);
            assertEquals(VAE, parameters(label + " VAE", l -> new AutoencoderKL(vae, l)), label);
            assertEquals(sd2 ? OPEN_CLIP_VIT_H_23_LAYERS : CLIP_VIT_L,
                    parameters(label + " text encoder", l -> new ClipTextModel(text, l)), label);
            if (architecture.isXl()) {
                ClipTextConfig text2 = ClipTextConfig.read(folder.resolve("text_encoder_2/config.json"));
                assertEquals(CLIP_BIG_G_WITH_PROJECTION,
                        parameters(label + " text encoder 2", l -> new ClipTextModel(text2, l)), label);
            }
        }
    }

    /** The parameter count of the model built with random float16 weights in a manager freed afterwards. */
    private static long parameters(String what, Function<ParameterLoader, ParameterizedModel> build) {
        return DiffijEngine.get().queue().run("build " + what, ctx -> {
            try (NDManager manager = ctx.manager().newSubManager()) {
                return build.apply(ParameterLoader.random(manager, DataType.FLOAT16, what)).parameters().count();
            }
        });
    }
}
