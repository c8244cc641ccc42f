package org.diffij.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.diffij.parity.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Five hundred training steps in a row must not grow the process: every step's arrays die with the step.
 * What is measured is the memory outside the Java heap (resident size minus the committed heap): the
 * heap grows and shrinks by a hundred MB at the collector's discretion (in a full test run it grew 113 MB
 * between the two readings), while libtorch's arrays live outside it.
 */
class TrainingMemoryFlatTest {

    private static final int WARM_UP = 50;
    private static final int STEPS = 500;
    /** Leaking each step's scope (its batch, activations and gradients) grew the process by 2.5 GB here. */
    private static final long BOUND = 64L << 20;

    @TempDir
    Path dir;

    @Test
    void fiveHundredStepsDoNotGrowResidentMemory() throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        TrainerTest.colourImages(data, "image", 2, 3, 0.7f, 0.1f);
        TrainingRequest request = TrainingRequest.fromMacroOptions("method=lora model=["
                + Golden.manifest().modelPath("tiny-sd15") + "] data=[" + data + "] output=["
                + dir.resolve("memory-flat.safetensors") + "] formats=diffusers resolution=64 steps=" + STEPS
                + " lr=1e-4 train_text_encoder=true flip=true max_grad_norm=1 template=[a photo of sks] seed=5");
        List<Long> outsideHeap = new ArrayList<>();
        Trainer.Result result = TrainerTest.trainer().submit(request, null, false, null,
                progress -> {
                    if (progress.step() == WARM_UP || progress.step() == STEPS) {
                        System.gc();
                        outsideHeap.add(residentBytes() - Runtime.getRuntime().totalMemory());
                    }
                }).await();
        assertTrue(result.finished());
        assertEquals(2, outsideHeap.size());
        long grown = outsideHeap.get(1) - outsideHeap.get(0);
        assertTrue(grown < BOUND, "memory outside the Java heap grew by " + (grown >> 20) + " MB from step " + WARM_UP
                + " to step " + STEPS);
    }

    private static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
