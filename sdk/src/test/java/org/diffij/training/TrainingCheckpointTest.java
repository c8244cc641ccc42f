package org.diffij.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.diffij.DiffijException;
import org.diffij.io.HostTensor;
import org.diffij.io.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingCheckpointTest {

    @TempDir
    Path dir;

    @Test
    void roundTripsEveryPartAndLeavesNoTemporaryFile() throws Exception {
        TrainingRequest request = TrainingRequest.fromMacroOptions("model=m data=[my data] rank=8 seed=5 "
                + "lr_schedule=cosine warmup_steps=10");
        Map<String, HostTensor> trained = Map.of("unet.a.lora_A.weight", HostTensor.ofFloats(new float[] {1, 2, 3, 4},
                2, 2));
        Map<String, HostTensor> optimizer = Map.of("unet.a.lora_A.weight.exp_avg", HostTensor.ofFloats(
                new float[] {0.1f, 0.2f, 0.3f, 0.4f}, 2, 2), "unet.a.lora_A.weight.step", HostTensor.ofLongs(
                new long[] {17}));
        TrainingCheckpoint checkpoint = new TrainingCheckpoint(request, 17, 2, 3, "abc", trained, optimizer);
        Path file = dir.resolve("run/checkpoint-17.safetensors");
        checkpoint.write(file);
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertEquals(1, files.count(), "only the checkpoint, no .partial left");
        }
        TrainingCheckpoint back = TrainingCheckpoint.read(file);
        assertEquals(request, back.request());
        assertEquals(17, back.step());
        assertEquals(2, back.epoch());
        assertEquals(3, back.batchInEpoch());
        assertEquals("abc", back.dataFingerprint());
        assertArrayEquals(trained.get("unet.a.lora_A.weight").toFloatArray(),
                back.trained().get("unet.a.lora_A.weight").toFloatArray());
        assertArrayEquals(new long[] {17}, back.optimizerState().get("unet.a.lora_A.weight.step").toLongArray());
        assertEquals(optimizer.keySet(), back.optimizerState().keySet());
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
