package org.diffij.models.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.diffij.engine.DiffijEngine;
import org.diffij.io.HostTensor;
import org.diffij.io.SafetensorsFile;
import org.diffij.io.WeightSet;
import org.diffij.nn.ParameterTree;
import org.diffij.parity.Golden;
import org.diffij.pipelines.StableDiffusionModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A diffusers model written as a new single-file checkpoint has the original LDM key layout (that of
 * the reference tiny-sd15 checkpoint) and reads back through the single-file loader to the diffusers
 * folder's tensors exactly, for SD 1.x, SD 2.x (OpenCLIP) and SDXL (both towers).
 */
class SingleFileWriteTest {

    @TempDir
    Path dir;

    /** The reference checkpoint's keys that hold no weight of a diffusers component. */
    private static final Set<String> BUFFERS = Set.of("alphas_cumprod", "alphas_cumprod_prev", "betas",
            "cond_stage_model.transformer.text_model.embeddings.position_ids");

    @Test
    void sd15IsWrittenInTheReferenceLayout() {
        Path model = Golden.manifest().modelPath("tiny-sd15");
        Path file = write(model, CheckpointArchitecture.SD1);
        Set<String> reference;
        try (SafetensorsFile in = SafetensorsFile.open(model.getParent().resolve(
                "tiny-sd15-single-file/tiny-sd15.safetensors"))) {
            reference = new TreeSet<>(in.names());
        }
        reference.removeAll(BUFFERS);
        try (SafetensorsFile written = SafetensorsFile.open(file)) {
            assertEquals(reference, new TreeSet<>(written.names()));
        }
        assertReadsBack(file, model, "unet", "vae", "text_encoder");
    }

    @Test
    void sd2AndSdxlTextTowersRoundTrip() {
        Path sd2 = Golden.manifest().modelPath("tiny-sd21v");
        assertReadsBack(write(sd2, CheckpointArchitecture.SD2), sd2, "unet", "vae", "text_encoder");
        Path xl = Golden.manifest().modelPath("tiny-sdxl");
        assertReadsBack(write(xl, CheckpointArchitecture.SDXL), xl, "unet", "vae", "text_encoder", "text_encoder_2");
    }

    private Path write(Path model, CheckpointArchitecture architecture) {
        Path file = dir.resolve(model.getFileName() + ".safetensors");
        DiffijEngine.get().queue().run("write single file", ctx -> {
            StableDiffusionModel loaded = StableDiffusionModel.load(model, ctx.manager(), DataType.FLOAT32);
            Map<String, ParameterTree> components = new LinkedHashMap<>();
            components.put("unet", loaded.unet().parameters());
            components.put("vae", loaded.vae().parameters());
            components.put("text_encoder", loaded.textEncoder().parameters());
            if (loaded.isXl()) {
                components.put("text_encoder_2", loaded.textEncoder2().parameters());
            }
            SingleFileCheckpoint.writeNew(file, architecture, components, Map.of("format", "pt"));
            return null;
        });
        return file;
    }

    private static void assertReadsBack(Path file, Path model, String... components) {
        try (SingleFileCheckpoint checkpoint = SingleFileCheckpoint.open(file, model)) {
            assertEquals(Set.of(components), checkpoint.components());
            for (String component : components) {
                RenamedWeights renamed = checkpoint.component(component);
                try (WeightSet folder = WeightSet.openFolder(model.resolve(component))) {
                    Set<String> expected = new TreeSet<>(folder.names());
                    expected.removeIf(name -> name.endsWith("position_ids"));
                    assertEquals(expected, new TreeSet<>(renamed.names()), component);
                    for (String name : expected) {
                        HostTensor a = folder.read(name);
                        HostTensor b = renamed.read(name);
                        assertArrayEquals(a.shape(), b.shape(), component + "." + name);
                        assertArrayEquals(a.toFloatArray(), b.toFloatArray(), component + "." + name);
                    }
                }
            }
        }
    }
}
