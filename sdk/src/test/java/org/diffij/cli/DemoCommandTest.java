package org.diffij.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.diffij.demo.ShapesEvaluator;
import org.diffij.demo.ShapesWorld;
import org.diffij.image.PngFiles;
import org.diffij.image.RgbImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {

    @TempDir
    Path dir;

    @Test
    void dataIsWrittenOnceReproduciblyAndScoresAsItsCaptionsSay() throws Exception {
        Path first = dir.resolve("a");
        CliRun data = CliRun.of("demo", "data", "--out", first.toString(), "--count", "30", "--seed", "5");
        assertEquals(0, data.exitCode(), data.err());
        try (Stream<Path> files = Files.list(first)) {
            assertEquals(60, files.count(), "30 images and 30 captions");
        }
        String caption = Files.readString(first.resolve("shape-00000.txt")).strip();
        assertTrue(ShapesWorld.Content.parse(caption) != null, caption);
        assertEquals(caption, PngFiles.readText(first.resolve("shape-00000.png")).get("parameters"),
                "the caption is also the PNG's parameters text");
        Path second = dir.resolve("b");
        CliRun.of("demo", "data", "--out", second.toString(), "--count", "30", "--seed", "5");
        assertArrayEquals(Files.readAllBytes(first.resolve("shape-00029.png")),
                Files.readAllBytes(second.resolve("shape-00029.png")), "the same seed writes the same bytes");

        CliRun again = CliRun.of("demo", "data", "--out", first.toString(), "--count", "3");
        assertEquals(2, again.exitCode());
        assertTrue(again.err().contains("already exists"), again.err());

        CliRun score = CliRun.of("demo", "score", first.toString());
        assertEquals(0, score.exitCode(), score.err());
        assertTrue(score.out().startsWith("30 images: 100.0 % right"), score.out());

        CliRun wrong = CliRun.of("demo", "score", first.resolve("shape-00000.png").toString(), "--expect",
                "a orange ring on a white background");
        assertTrue(wrong.out().startsWith("1 images: 0.0 % right"), wrong.out());
        CliRun bad = CliRun.of("demo", "score", first.toString(), "--expect", "a cat");
        assertEquals(2, bad.exitCode());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());
    }

    /** README's first command, in-process: the built-in model by name, its own size, a red circle on white. */
    @Test
    void theReadmeCommandDrawsARedCircleOnWhite() throws Exception {
        Path circle = dir.resolve("circle.png");
        CliRun run = CliRun.of("generate", "--model", "demo", "--prompt", "a red circle on a white background",
                "--out", circle.toString());
        assertEquals(0, run.exitCode(), run.err());
        RgbImage image = PngFiles.read(circle);
        assertEquals(ShapesWorld.SIZE, image.width());
        assertEquals(ShapesWorld.SIZE, image.height());
        ShapesEvaluator.Reading reading = ShapesEvaluator.read(image);
        assertTrue(reading.matches(ShapesWorld.Content.parse("a red circle on a white background")),
                reading.toString());
        assertTrue(PngFiles.readText(circle).get("parameters").contains("Size: 64x64"), "the size is recorded");
    }

    @Test
    void qualityGeneratesEachCaptionAndPrintsTheTable() {
        CliRun run = CliRun.of("demo", "quality", "--seeds", "1");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().startsWith("24 images: "), run.out());
        assertTrue(run.out().contains("triangle"), run.out());
        CliRun bad = CliRun.of("demo", "quality", "--seeds", "0");
        assertEquals(2, bad.exitCode());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());
    }
}
