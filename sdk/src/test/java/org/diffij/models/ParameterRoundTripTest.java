package org.diffij.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import org.diffij.engine.DiffijEngine;
import org.diffij.io.WeightSet;
import org.diffij.io.Weights;
import org.diffij.models.checkpoint.SingleFileCheckpoint;
import org.diffij.models.clip.ClipTextModel;
import org.diffij.models.unet.UNet2DConditionModel;
import org.diffij.models.vae.AutoencoderKL;
import org.diffij.nn.ParameterTree;
import org.diffij.nn.ParameterizedModel;
import org.diffij.parity.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model's parameter tree written back in its own layout loads again to identical tensors: each
 * diffusers component as its safetensors file, and the single-file checkpoint in LDM naming.
 */
class ParameterRoundTripTest {

    @TempDir
    Path dir;

    @Test
    void diffusersComponentsRoundTrip() {
        Path model = Golden.manifest().modelPath("tiny-sd15");
        DiffijEngine.get().queue().run("round trip", ctx -> {
            NDManager m = ctx.manager();
            check(m, model.resolve("unet"), (folder, mm) -> UNet2DConditionModel.load(folder, mm, DataType.FLOAT32));
            check(m, model.resolve("vae"), (folder, mm) -> AutoencoderKL.load(folder, mm, DataType.FLOAT32));
            check(m, model.resolve("text_encoder"), (folder, mm) -> ClipTextModel.load(folder, mm, DataType.FLOAT32));
            return null;
        });
    }

    private void check(NDManager m, Path folder, BiFunction<Path, NDManager, ParameterizedModel> load) {
        ParameterTree original = load.apply(folder, m).parameters();
        Path copy = dir.resolve(folder.getFileName().toString());
        original.write(copy.resolve(WeightSet.weightFile(folder).getFileName()), Map.of("format", "pt"));
        copyConfig(folder, copy);
        ParameterTree reloaded = load.apply(copy, m).parameters();
        assertEquals(original.named().keySet(), reloaded.named().keySet());
        try (WeightSet stored = WeightSet.openFolder(folder)) {
            assertFalse(original.named().isEmpty());
            for (String key : original.named().keySet()) {
                assertArrayEquals(original.get(key).toFloatArray(), reloaded.get(key).toFloatArray(), key);
                assertArrayEquals(stored.read(key).toFloatArray(), reloaded.get(key).toFloatArray(), key);
            }
        }
    }

    private static void copyConfig(Path from, Path to) {
        try {
            java.nio.file.Files.createDirectories(to);
            java.nio.file.Files.copy(from.resolve("config.json"), to.resolve("config.json"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void singleFileCheckpointRoundTripsInLdmNaming() {
        Path config = Golden.manifest().modelPath("tiny-sd15");
        Path file = Golden.manifest().modelPath("tiny-sd15-single-file");
        Path written = dir.resolve("written.safetensors");
        DiffijEngine.get().queue().run("single file", ctx -> {
            NDManager m = ctx.manager();
            Map<String, ParameterTree> trees = new LinkedHashMap<>();
            try (SingleFileCheckpoint checkpoint = SingleFileCheckpoint.open(file, config)) {
                trees.put("unet", new UNet2DConditionModel(org.diffij.models.unet.UNet2DConditionConfig.from(
                        org.diffij.io.Json.readObject(config.resolve("unet/config.json"))),
                        checkpoint.component("unet"), m, DataType.FLOAT32).parameters());
                trees.put("vae", new AutoencoderKL(org.diffij.models.vae.AutoencoderKLConfig.from(
                        org.diffij.io.Json.readObject(config.resolve("vae/config.json"))),
                        checkpoint.component("vae"), m, DataType.FLOAT32).parameters());
                trees.put("text_encoder", ClipTextModel.load(org.diffij.models.clip.ClipTextConfig.read(
                        config.resolve("text_encoder/config.json")), checkpoint.component("text_encoder"), m,
                        DataType.FLOAT32).parameters());
                checkpoint.write(written, trees, Map.of());
            }
            try (WeightSet original = WeightSet.open(file); WeightSet copy = WeightSet.open(written)) {
                assertEquals(original.names(), copy.names());
                for (String key : original.names()) {
                    assertArrayEquals(original.read(key).shape(), copy.read(key).shape(), key);
                    if (original.read(key).dtype().isFloating()) {
                        assertArrayEquals(original.read(key).toFloatArray(), copy.read(key).toFloatArray(), key);
                    } else {
                        assertArrayEquals(original.read(key).toLongArray(), copy.read(key).toLongArray(), key);
                    }
                }
            }
            try (SingleFileCheckpoint reread = SingleFileCheckpoint.open(written, config)) {
                for (Map.Entry<String, ParameterTree> e : trees.entrySet()) {
                    Weights component = reread.component(e.getKey());
                    for (String key : e.getValue().named().keySet()) {
                        assertArrayEquals(e.getValue().get(key).toFloatArray(), component.read(key).toFloatArray(), key);
                    }
                }
            }
            return null;
        });
    }
}
