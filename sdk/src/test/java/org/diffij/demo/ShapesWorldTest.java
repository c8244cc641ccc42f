package org.diffij.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.diffij.DiffijException;
import org.diffij.demo.ShapesWorld.Background;
import org.diffij.demo.ShapesWorld.Colour;
import org.diffij.demo.ShapesWorld.Content;
import org.diffij.demo.ShapesWorld.Scene;
import org.diffij.demo.ShapesWorld.Shape;
import org.diffij.image.RgbImage;
import org.junit.jupiter.api.Test;

class ShapesWorldTest {

    private static List<Content> everything() {
        List<Content> all = new ArrayList<>(Content.world());
        for (Background background : Background.values()) {
            all.add(new Content(Shape.RING, Colour.ORANGE, background));
        }
        return all;
    }

    @Test
    void scenesFollowFromTheSeedAndStayInsideTheImage() {
        List<Scene> scenes = ShapesWorld.scenes(Content.world(), 500, 7);
        assertEquals(scenes, ShapesWorld.scenes(Content.world(), 500, 7));
        assertNotEquals(scenes, ShapesWorld.scenes(Content.world(), 500, 8));
        Set<Content> seen = new HashSet<>();
        for (Scene scene : scenes) {
            assertTrue(scene.extent() >= 24 && scene.extent() <= 44, scene.toString());
            assertTrue(scene.left() + scene.extent() <= 64 && scene.top() + scene.extent() <= 64, scene.toString());
            seen.add(scene.content());
        }
        assertEquals(24, seen.size(), "all 24 captions of the world are drawn");
        assertThrows(DiffijException.class, () -> new Scene(Content.world().get(0), 30, 0, 40));
    }

    @Test
    void captionsReadBackAndOnlyWorldCaptionsParse() {
        for (Content content : everything()) {
            assertEquals(content, Content.parse(content.caption()));
        }
        assertEquals("a red circle on a white background", Content.world().get(0).caption());
        assertNull(Content.parse("a purple circle on a white background"));
        assertNull(Content.parse("a red circle"));
    }

    @Test
    void shapesAreDrawnInTheirExactColoursWithTheirAreas() {
        for (Shape shape : Shape.values()) {
            Scene scene = new Scene(new Content(shape, Colour.BLUE, Background.BLACK), 10, 12, 40);
            int[] pixels = scene.pixels();
            int inside = 0;
            for (int p : pixels) {
                assertTrue(p == 0x2846DC || p == 0x141414, Integer.toHexString(p));
                inside += p == 0x2846DC ? 1 : 0;
            }
            double expected = switch (shape) {
                case SQUARE -> 1;
                case CIRCLE -> Math.PI / 4;
                case TRIANGLE -> 0.5;
                case RING -> Math.PI / 4 * 0.75;
            };
            assertEquals(expected, inside / 1600.0, 0.03, shape + " fills its box as its formula says");
        }
        int[] triangle = new Scene(new Content(Shape.TRIANGLE, Colour.RED, Background.WHITE), 0, 0, 40).pixels();
        assertTrue(rowWidth(triangle, 1) < 4 && rowWidth(triangle, 38) > 36, "the triangle points up");
    }

    @Test
    void theEvaluatorReadsEveryCleanImageRight() {
        for (Scene scene : ShapesWorld.scenes(everything(), 400, 3)) {
            ShapesEvaluator.Reading reading = ShapesEvaluator.read(scene.image());
            assertTrue(reading.matches(scene.content()), scene + " read as " + reading);
        }
    }

    @Test
    void theEvaluatorToleratesBlurAndNoiseAndSeesWhenThereIsNoShape() {
        Random random = new Random(1);
        int right = 0;
        List<Scene> scenes = ShapesWorld.scenes(everything(), 300, 4);
        for (Scene scene : scenes) {
            right += ShapesEvaluator.read(noisy(blurred(blurred(scene.image())), random, 0.04f)).matches(
                    scene.content()) ? 1 : 0;
        }
        assertTrue(right >= 0.97 * scenes.size(), right + " of " + scenes.size() + " read right");
        float[] grey = new float[3 * 64 * 64];
        java.util.Arrays.fill(grey, 0.95f);
        ShapesEvaluator.Reading empty = ShapesEvaluator.read(new RgbImage(64, 64, grey));
        assertNull(empty.shape());
        assertEquals(Background.WHITE, empty.background());
    }

    private static int rowWidth(int[] pixels, int row) {
        int n = 0;
        for (int x = 0; x < 64; x++) {
            n += pixels[row * 64 + x] == 0xDC2828 ? 1 : 0;
        }
        return n;
    }

    /** A 3×3 box blur, edges clamped. */
    private static RgbImage blurred(RgbImage image) {
        int w = image.width();
        int h = image.height();
        float[] out = new float[image.rgb().length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 3; c++) {
                    float sum = 0;
                    for (int dy = -1; dy <= 1; dy++) {
                        for (int dx = -1; dx <= 1; dx++) {
                            int sx = Math.min(w - 1, Math.max(0, x + dx));
                            int sy = Math.min(h - 1, Math.max(0, y + dy));
                            sum += image.rgb()[3 * (sy * w + sx) + c];
                        }
                    }
                    out[3 * (y * w + x) + c] = sum / 9;
                }
            }
        }
        return new RgbImage(w, h, out);
    }

    private static RgbImage noisy(RgbImage image, Random random, float sigma) {
        float[] out = image.rgb().clone();
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.min(1, Math.max(0, out[i] + (float) random.nextGaussian() * sigma));
        }
        return new RgbImage(image.width(), image.height(), out);
    }
}
