package org.diffij.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.diffij.DiffijException;
import org.diffij.engine.DiffijEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingDataTest {

    @TempDir
    Path dir;

    private static BufferedImage rgb(int width, int height, int seed) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, ((x * 7 + seed) & 0xff) << 16 | ((y * 5) & 0xff) << 8 | ((x + y + seed) & 0xff));
            }
        }
        return image;
    }

    /** A 16-bit grey image with values 1000..1000+63*40 along x. */
    private static BufferedImage grey16(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_USHORT_GRAY);
        WritableRaster raster = image.getRaster();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                raster.setSample(x, y, 0, 1000 + 40 * x);
            }
        }
        return image;
    }

    private static void writeStack(Path file, BufferedImage... pages) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("tiff").next();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
            writer.setOutput(out);
            writer.prepareWriteSequence(null);
            for (BufferedImage page : pages) {
                writer.writeToSequence(new IIOImage(page, null, null), null);
            }
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
    }

    private Path dataset() throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        ImageIO.write(rgb(96, 64, 1), "png", data.resolve("00012-red bike.png").toFile());
        Files.writeString(data.resolve("00012-red bike.txt"), "red bike, wall, sunny\nsecond line ignored");
        ImageIO.write(grey16(64, 64), "png", data.resolve("grey16.png").toFile());
        ImageIO.write(rgb(64, 80, 2), "jpg", data.resolve("photo.jpg").toFile());
        Files.writeString(data.resolve("photo.caption"), "a photo");
        writeStack(data.resolve("stack.tif"), rgb(64, 64, 3), rgb(64, 64, 4));
        Path repeat = Files.createDirectories(data.resolve("3_sks dog"));
        ImageIO.write(rgb(72, 72, 5), "png", repeat.resolve("dog.png").toFile());
        return data;
    }

    private static String hashTree(Path root) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        Map<String, Path> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.forEach(p -> files.put(root.relativize(p).toString() + (Files.isDirectory(p) ? "/" : ""), p));
        }
        for (Map.Entry<String, Path> e : files.entrySet()) {
            digest.update(e.getKey().getBytes(StandardCharsets.UTF_8));
            if (Files.isRegularFile(e.getValue())) {
                digest.update(Files.readAllBytes(e.getValue()));
                digest.update(Long.toString(Files.getLastModifiedTime(e.getValue()).toMillis()).getBytes());
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static DataOptions options(boolean bucketing, String template, boolean flip) {
        return new DataOptions(".txt", template, false, 0, 0, bucketing ? 128 : 64, bucketing, 64, 1024, 32,
                DataOptions.Crop.CENTER, flip, DataOptions.Normalise.DISPLAY);
    }

    @Test
    void scansImagesPagesCaptionsAndRepeatFolders() throws Exception {
        Path data = dataset();
        TrainingData scanned = TrainingData.scan(data, options(false, "", false), "cat", 1);
        Map<String, String> described = scanned.describe();
        assertEquals(6, scanned.items().size(), described.toString());
        assertEquals("64x64 x1 red bike, wall, sunny", described.get("00012-red bike.png"));
        assertEquals("64x64 x1 a photo", described.get("photo.jpg"));
        assertEquals("64x64 x3 sks dog", described.get("3_sks dog/dog.png"), "class tokens caption");
        assertEquals("64x64 x1 ", described.get("stack.tif#1"));
        assertEquals(8, scanned.samplesPerEpoch());
        TrainingData templated = TrainingData.scan(data, options(false, "a photo of [name], [filewords]", false),
                "cat", 1);
        assertEquals("64x64 x1 a photo of cat, red bike", templated.describe().get("00012-red bike.png").replace(
                ", wall, sunny", ""));
        assertEquals("64x64 x1 a photo of cat, stack", templated.describe().get("stack.tif#0"), "file words");
    }

    @Test
    void sixteenBitImagesAreStretchedMinToMaxAndNothingIsModified() throws Exception {
        Path data = dataset();
        String before = hashTree(data);
        TrainingData scanned = TrainingData.scan(data, options(true, "", true), "cat", 1);
        TrainingData.Item grey = scanned.items().stream().filter(i -> i.file().endsWith("grey16.png")).findFirst()
                .orElseThrow();
        float[][] pixels = new float[2][];
        DiffijEngine.get().queue().run("pixels", ctx -> {
            pixels[0] = TrainingData.pixels(ctx.manager(), new TrainingData.Sample(grey, "", false)).toFloatArray();
            pixels[1] = TrainingData.pixels(ctx.manager(), new TrainingData.Sample(grey, "", true)).toFloatArray();
            for (List<TrainingData.Sample> batch : scanned.epoch(0, 2)) {
                for (TrainingData.Sample s : batch) {
                    TrainingData.pixels(ctx.manager(), s);
                }
            }
            return null;
        });
        assertEquals(3 * 64 * 64, pixels[0].length);
        assertEquals(-1f, pixels[0][0], 0f, "the minimum maps to -1");
        assertEquals(1f, pixels[0][63], 0f, "the maximum maps to 1");
        for (int x = 0; x < 64; x++) {
            assertEquals(pixels[0][x], pixels[1][63 - x], 0f, "flip mirrors the row");
        }
        assertEquals(before, hashTree(data), "the data folder is unchanged");
    }

    @Test
    void epochsAreAFunctionOfSeedAndEpoch() throws Exception {
        Path data = dataset();
        DataOptions shuffled = new DataOptions(".txt", "", true, 1, 0, 128, true, 64, 1024, 32, DataOptions.Crop.CENTER,
                true, DataOptions.Normalise.DISPLAY);
        TrainingData a = TrainingData.scan(data, shuffled, "cat", 7);
        TrainingData b = TrainingData.scan(data, shuffled, "cat", 7);
        assertEquals(a.epoch(3, 2), b.epoch(3, 2));
        assertNotEquals(a.epoch(0, 2), a.epoch(1, 2));
        assertNotEquals(a.epoch(0, 2), TrainingData.scan(data, shuffled, "cat", 8).epoch(0, 2));
        List<List<TrainingData.Sample>> epoch = a.epoch(0, 2);
        assertEquals(8, epoch.stream().mapToInt(List::size).sum(), "every draw, repeats included");
        for (List<TrainingData.Sample> batch : epoch) {
            TrainingData.Framing first = batch.get(0).item().framing();
            assertTrue(batch.stream().allMatch(s -> s.item().framing().width() == first.width()
                    && s.item().framing().height() == first.height()), "one bucket per batch");
        }
        assertTrue(epoch.stream().flatMap(List::stream).filter(s -> s.item().file().toString().contains("bike"))
                .allMatch(s -> s.caption().startsWith("red bike, ")), "keep_tokens keeps the first tag");
        DataOptions dropAll = new DataOptions(".txt", "", false, 0, 1, 64, false, 64, 1024, 64, DataOptions.Crop.CENTER,
                false, DataOptions.Normalise.DISPLAY);
        assertTrue(TrainingData.scan(data, dropAll, "cat", 1).epoch(0, 1).stream().flatMap(List::stream)
                .allMatch(s -> s.caption().isEmpty()));
    }

    @Test
    void bucketsFollowKohyaWithoutUpscaling() {
        assertEquals(new Buckets.Choice(512, 384, 512, 384), Buckets.select(1024, 768, 512, 64, 1024));
        assertEquals(new Buckets.Choice(300, 200, 256, 192), Buckets.select(300, 200, 512, 64, 1024));
        Buckets.Choice tall = Buckets.select(600, 2400, 512, 64, 1024);
        assertTrue(tall.bucketWidth() * tall.bucketHeight() <= 512 * 512 && tall.resizedHeight() <= 1024, tall.toString());
        assertEquals(0, tall.bucketWidth() % 64);
    }

    @Test
    void badDataIsNamedInOneLine() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Files.writeString(empty.resolve("notes.md"), "x");
        assertMessage(() -> TrainingData.scan(empty, DataOptions.DEFAULTS, "", 0), "no training images");
        assertMessage(() -> TrainingData.scan(dir.resolve("missing"), DataOptions.DEFAULTS, "", 0), "no such folder");

        Path orphan = Files.createDirectories(dir.resolve("orphan"));
        ImageIO.write(rgb(64, 64, 0), "png", orphan.resolve("a.png").toFile());
        Files.writeString(orphan.resolve("b.txt"), "lonely");
        assertMessage(() -> TrainingData.scan(orphan, DataOptions.DEFAULTS, "", 0), "b.txt: a caption without an image");

        Path broken = Files.createDirectories(dir.resolve("broken"));
        Files.write(broken.resolve("bad.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        assertMessage(() -> TrainingData.scan(broken, DataOptions.DEFAULTS, "", 0), "bad.png: ");

        Path tiny = Files.createDirectories(dir.resolve("tiny"));
        ImageIO.write(rgb(1, 1, 0), "png", tiny.resolve("dot.png").toFile());
        assertMessage(() -> TrainingData.scan(tiny, DataOptions.DEFAULTS, "", 0), "dot.png: the image is 1x1");

        Path stray = Files.createDirectories(dir.resolve("stray"));
        ImageIO.write(rgb(64, 64, 0), "png", stray.resolve("a.png").toFile());
        Files.createDirectories(stray.resolve("extras"));
        assertMessage(() -> TrainingData.scan(stray, DataOptions.DEFAULTS, "", 0), "extras: a subfolder");

        Path small = Files.createDirectories(dir.resolve("small"));
        ImageIO.write(rgb(100, 80, 0), "png", small.resolve("s.png").toFile());
        assertMessage(() -> TrainingData.scan(small, new DataOptions(".txt", "", false, 0, 0, 512, true, 256, 1024, 64,
                DataOptions.Crop.CENTER, false, DataOptions.Normalise.DISPLAY), "", 0), "s.png: 100x80 gives a 64x64 bucket, below min_bucket 256");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String expected) {
        DiffijException e = assertThrows(DiffijException.class, call);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }
}
