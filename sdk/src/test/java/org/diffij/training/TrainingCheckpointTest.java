package org.diffij.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.diffij.DiffijException;
import org.diffij.engine.DiffijEngine;
import org.diffij.io.HostTensor;
import org.diffij.io.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingCheckpointTest {

    /** 17 steps' losses, some with every digit a double has. */
    private static final java.util.List<Double> LOSSES = java.util.stream.IntStream.range(0, 17)
            .mapToObj(i -> 1.0 / (i + 3) + 1e-17 * i).toList();

    @TempDir
    Path dir;

    @Test
    void roundTripsEveryPartAndLeavesNoTemporaryFile() throws Exception {
        TrainingRequest request = TrainingRequest.fromMacroOptions("model=m data=[my data] rank=8 seed=5 "
                + "lr_schedule=cosine warmup_steps=10");
        Path file = dir.resolve("run/checkpoint-17.safetensors");
        float[] weights = {1, 2, 3, 4};
        float[][] restored = DiffijEngine.get().queue().run("checkpoint round trip", ctx -> {
            NDManager m = ctx.manager();
            NDArray weight = m.create(weights, new Shape(2, 2));
            AdamW adamw = new AdamW(m, AdamW.Settings.DEFAULTS);
            adamw.step("unet.a.lora_A.weight", weight, m.create(new float[] {0.1f, 0.2f, 0.3f, 0.4f}, new Shape(2, 2)),
                    1e-3);
            float[] trainedValues = weight.toFloatArray();
            new TrainingCheckpoint(request, 17, 2, 3, "abc", LOSSES).write(file, Map.of("unet.a.lora_A.weight", weight),
                    adamw.state(m));

            NDArray fresh = m.zeros(new Shape(2, 2));
            AdamW resumed = new AdamW(m, AdamW.Settings.DEFAULTS);
            TrainingCheckpoint.restore(file, Map.of("unet.a.lora_A.weight", fresh), resumed);
            assertEquals(1, resumed.steps("unet.a.lora_A.weight"));
            DiffijException other = assertThrows(DiffijException.class, () -> TrainingCheckpoint.restore(file,
                    Map.of("unet.b.lora_A.weight", m.zeros(new Shape(2, 2))), resumed));
            assertTrue(other.getMessage().startsWith("resume refused"), other.getMessage());
            DiffijException shape = assertThrows(DiffijException.class, () -> TrainingCheckpoint.restore(file,
                    Map.of("unet.a.lora_A.weight", m.zeros(new Shape(4))), resumed));
            assertTrue(shape.getMessage().contains("another shape"), shape.getMessage());
            return new float[][] {trainedValues, fresh.toFloatArray(),
                    adamw.state(m).get("unet.a.lora_A.weight.exp_avg_sq").toFloatArray(),
                    resumed.state(m).get("unet.a.lora_A.weight.exp_avg_sq").toFloatArray()};
        });
        assertArrayEquals(restored[0], restored[1], "the trained values come back");
        assertArrayEquals(restored[2], restored[3], "the optimiser state comes back");
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertEquals(1, files.count(), "only the checkpoint, no .partial left");
        }
        assertEquals(Set.of("unet.a.lora_A.weight"), TrainingCheckpoint.trainedNames(file));
        TrainingCheckpoint back = TrainingCheckpoint.read(file);
        assertEquals(new TrainingCheckpoint(request, 17, 2, 3, "abc", LOSSES), back);
        assertEquals(LOSSES, back.losses(), "every step's loss, to the last digit");
        back.requireResumableWith(request, "abc");
        DiffijException refused = assertThrows(DiffijException.class, () -> back.requireResumableWith(
                TrainingRequest.fromMacroOptions("model=m data=[my data] rank=4 seed=5 lr_schedule=cosine "
                        + "warmup_steps=10"), "abc"));
        assertEquals("resume refused: the checkpoint was made with rank=8, this request has rank=4",
                refused.getMessage());
        assertThrows(DiffijException.class, () -> back.requireResumableWith(request, "changed"));
    }

    @Test
    void otherFilesAreNotCheckpoints() {
        Path lora = dir.resolve("lora.safetensors");
        SafetensorsWriter.write(lora, Map.of("x", HostTensor.scalar(1)), Map.of("ss_network_dim", "4"));
        DiffijException e = assertThrows(DiffijException.class, () -> TrainingCheckpoint.read(lora));
        assertTrue(e.getMessage().contains("not a Diffij training checkpoint"), e.getMessage());
    }

    @Test
    void stepSeedsDifferPerStepAndRepeatPerRun() {
        assertEquals(TrainingCheckpoint.stepSeed(5, 3), TrainingCheckpoint.stepSeed(5, 3));
        assertNotEquals(TrainingCheckpoint.stepSeed(5, 3), TrainingCheckpoint.stepSeed(5, 4));
        assertNotEquals(TrainingCheckpoint.stepSeed(5, 3), TrainingCheckpoint.stepSeed(6, 3));
        assertTrue(TrainingCheckpoint.stepSeed(Long.MAX_VALUE, 1) >= 0);
    }
}
