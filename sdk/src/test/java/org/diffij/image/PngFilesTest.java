package org.diffij.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.diffij.DiffijException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PngFilesTest {

    @TempDir
    Path dir;

    @Test
    void writesPixelsAndParametersThatReadBack() {
        float[] rgb = new float[3 * 4 * 2];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = i / (float) (rgb.length - 1);
        }
        rgb[0] = -0.5f;
        rgb[1] = 1.7f;
        RgbImage image = new RgbImage(4, 2, rgb);
        Map<String, String> text = new LinkedHashMap<>();
        text.put("parameters", "a cat\nSteps: 20, Sampler: Euler a, Seed: 1");
        text.put("comment", "猫の写真 🎉");
        Path file = dir.resolve("out.png");
        PngFiles.write(file, image, text);
        assertEquals(text, PngFiles.readText(file));
        RgbImage back = PngFiles.read(file);
        assertArrayEquals(image.toPackedRgb(), back.toPackedRgb());
        assertEquals(0x00ff00, back.toPackedRgb()[0] & 0xffff00, "values are clamped to 0..1");
    }

    @Test
    void badFilesGiveClearErrors() throws IOException {
        assertThrows(DiffijException.class, () -> PngFiles.read(dir.resolve("missing.png")));
        Path text = dir.resolve("notes.png");
        Files.writeString(text, "not an image");
        DiffijException e = assertThrows(DiffijException.class, () -> PngFiles.read(text));
        assertTrue(e.getMessage().contains("not an image format"), e.getMessage());
        assertThrows(DiffijException.class, () -> new RgbImage(2, 2, new float[5]));
    }
}
