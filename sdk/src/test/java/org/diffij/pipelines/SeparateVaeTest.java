package org.diffij.pipelines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.diffij.DiffijException;
import org.diffij.io.HostTensor;
import org.diffij.io.ModelHash;
import org.diffij.io.SafetensorsWriter;
import org.diffij.io.WeightSet;
import org.diffij.parity.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --vae}: a separate VAE file or folder decodes in place of the model's own, and is recorded. */
class SeparateVaeTest {

    @TempDir
    Path dir;

    private static final ImageSources NO_IMAGES = source -> {
        throw new DiffijException("no image " + source);
    };

    private static GenerationResult generate(Path model, Path config, String vae) {
        return new Generator(Generator.byPath(), config, "test").submit(GenerationRequest.of(model.toString(),
                "a photo of a cat").withSampling("DDIM", 3, 7).withSeed(42).withSize(64, 64, 1).withVae(vae),
                NO_IMAGES, null).await();
    }

    private static float[] pixels(GenerationResult result) {
        return result.images().get(0).rgb();
    }

    @Test
    void aSeparateVaeReplacesTheModelsOwnAndIsRecorded() {
        Path folder = Golden.manifest().modelPath("tiny-sd15");
        Path checkpoint = Golden.manifest().modelPath("tiny-sd15-single-file");
        // An A1111-style VAE file: the checkpoint's first_stage_model.* weights under their LDM names.
        Map<String, HostTensor> ldm = new LinkedHashMap<>();
        try (WeightSet weights = WeightSet.open(checkpoint)) {
            weights.names().stream().filter(n -> n.startsWith("first_stage_model.")).forEach(n -> ldm.put(
                    n.substring("first_stage_model.".length()), weights.read(n)));
        }
        Path ldmFile = dir.resolve("ldm-vae.safetensors");
        SafetensorsWriter.write(ldmFile, ldm, Map.of());
        // Another VAE: the same with its last decoder bias shifted, which brightens every decoded pixel.
        HostTensor bias = ldm.get("decoder.conv_out.bias");
        float[] shifted = bias.toFloatArray();
        for (int i = 0; i < shifted.length; i++) {
            shifted[i] += 0.5f;
        }
        ldm.put("decoder.conv_out.bias", HostTensor.ofFloats(shifted, bias.shape()));
        Path vaeFile = dir.resolve("other-vae.safetensors");
        SafetensorsWriter.write(vaeFile, ldm, Map.of());

        float[] own = pixels(generate(folder, null, ""));
        assertArrayEquals(own, pixels(generate(folder, null, folder.resolve("vae").toString())),
                "the model's own VAE folder given as --vae changes nothing");
        GenerationResult other = generate(folder, null, vaeFile.toString());
        assertFalse(Arrays.equals(own, pixels(other)), "another VAE decodes the same latents differently");
        assertArrayEquals(pixels(other), pixels(generate(folder, null, vaeFile.toString())),
                "the same VAE file gives the same pixels");
        // The checkpoint decoding with its own VAE, read back from the separate file: LDM names mapped exactly.
        assertArrayEquals(pixels(generate(checkpoint, folder, "")), pixels(generate(checkpoint, folder,
                ldmFile.toString())));

        String hash = ModelHash.of(vaeFile);
        assertEquals(hash, other.request().vaeHash());
        String parameters = other.parameters();
        assertTrue(parameters.contains("VAE hash: " + hash.substring(0, 10)) && parameters.contains("VAE: " + vaeFile),
                parameters);
        GenerationRequest read = Infotext.parse(parameters);
        assertEquals(vaeFile.toString(), read.vae());
        assertEquals(hash, read.vaeHash());
        assertEquals(other.request().vae(), GenerationRequest.fromMacroOptions(other.request().toMacroOptions()).vae());
    }

    @Test
    void whatIsNotAVaeIsRefusedNamingTheFile() {
        Path folder = Golden.manifest().modelPath("tiny-sd15");
        Path lora = Golden.manifest().root().resolve("models/lora/tiny-sd15-lora-kohya.safetensors");
        DiffijException notVae = assertThrows(DiffijException.class, () -> generate(folder, null, lora.toString()));
        assertTrue(notVae.getMessage().contains(lora + " is not a VAE"), notVae.getMessage());
        DiffijException noConfig = assertThrows(DiffijException.class,
                () -> generate(folder, null, folder.resolve("scheduler").toString()));
        assertTrue(noConfig.getMessage().contains("is not a VAE: a diffusers VAE folder has config.json"),
                noConfig.getMessage());
    }
}
