package org.diffij.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.diffij.DiffijException;
import org.diffij.image.RgbImage;

/**
 * The demo model's world: 64×64 RGB images of one filled shape on a flat background, captioned
 * {@code a {colour} {shape} on a {background} background}. Everything follows from a seed through
 * {@link java.util.Random} (whose algorithm Java specifies), so a data set is the same bytes on every
 * machine. Pixels are hard-edged (a pixel belongs to the shape when its centre does).
 */
public final class ShapesWorld {

    /** Side of every image in pixels. */
    public static final int SIZE = 64;
    /** Smallest and largest side of a shape's bounding box. */
    public static final int MIN_EXTENT = 24;
    public static final int MAX_EXTENT = 44;

    /** A shape as captions name it; {@link #RING} is the concept-learning benchmark's unseen {@code sks}. */
    public enum Shape {
        CIRCLE, SQUARE, TRIANGLE, RING;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The shapes of the base world (the ring is kept for the concept benchmark). */
        public static List<Shape> world() {
            return List.of(CIRCLE, SQUARE, TRIANGLE);
        }
    }

    /** A colour as exact 8-bit sRGB. */
    public record Srgb(int r, int g, int b) {

        public int packed() {
            return r << 16 | g << 8 | b;
        }
    }

    /** A shape colour; {@link #ORANGE} belongs to the benchmark's ring. */
    public enum Colour {
        RED(new Srgb(220, 40, 40)), GREEN(new Srgb(40, 170, 60)), BLUE(new Srgb(40, 70, 220)),
        YELLOW(new Srgb(235, 200, 40)), ORANGE(new Srgb(245, 130, 30));

        private final Srgb srgb;

        Colour(Srgb srgb) {
            this.srgb = srgb;
        }

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }

        public int packed() {
            return srgb.packed();
        }

        /** The colours of the base world. */
        public static List<Colour> world() {
            return List.of(RED, GREEN, BLUE, YELLOW);
        }
    }

    /** A flat background. */
    public enum Background {
        WHITE(new Srgb(245, 245, 245)), BLACK(new Srgb(20, 20, 20));

        private final Srgb srgb;

        Background(Srgb srgb) {
            this.srgb = srgb;
        }

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }

        public int packed() {
            return srgb.packed();
        }
    }

    /** What a caption says: shape, colour and background. */
    public record Content(Shape shape, Colour colour, Background background) {

        public String caption() {
            return "a " + colour.word() + " " + shape.word() + " on a " + background.word() + " background";
        }

        /** Reads a caption of this world back ({@code a red circle on a white background}), or null. */
        public static Content parse(String caption) {
            String[] words = caption.strip().toLowerCase(Locale.ROOT).split("\\s+");
            if (words.length != 7 || !words[0].equals("a") || !words[3].equals("on") || !words[4].equals("a")
                    || !words[6].equals("background")) {
                return null;
            }
            try {
                return new Content(Shape.valueOf(words[2].toUpperCase(Locale.ROOT)),
                        Colour.valueOf(words[1].toUpperCase(Locale.ROOT)),
                        Background.valueOf(words[5].toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }

        /** All 24 captions of the base world, in a fixed order. */
        public static List<Content> world() {
            List<Content> all = new ArrayList<>();
            for (Shape shape : Shape.world()) {
                for (Colour colour : Colour.world()) {
                    for (Background background : Background.values()) {
                        all.add(new Content(shape, colour, background));
                    }
                }
            }
            return List.copyOf(all);
        }
    }

    /** One image: its content and where the shape's bounding box lies (left, top, side). */
    public record Scene(Content content, int left, int top, int extent) {

        public Scene {
            if (extent < 2 || left < 0 || top < 0 || left + extent > SIZE || top + extent > SIZE) {
                throw new DiffijException("a shape of side " + extent + " at (" + left + ", " + top
                        + ") does not fit in a " + SIZE + "x" + SIZE + " image");
            }
        }

        /** The image as packed 0xRRGGBB pixels, row major. */
        public int[] pixels() {
            int[] pixels = new int[SIZE * SIZE];
            int shape = content.colour().packed();
            int background = content.background().packed();
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    pixels[y * SIZE + x] = covers(x + 0.5, y + 0.5) ? shape : background;
                }
            }
            return pixels;
        }

        public RgbImage image() {
            return RgbImage.fromPackedRgb(SIZE, SIZE, pixels());
        }

        /** Whether the point (in pixel units, the image's top-left corner at 0, 0) lies in the shape. */
        private boolean covers(double x, double y) {
            double u = (x - left) / extent;
            double v = (y - top) / extent;
            if (u < 0 || u > 1 || v < 0 || v > 1) {
                return false;
            }
            double du = u - 0.5;
            double dv = v - 0.5;
            double r2 = du * du + dv * dv;
            return switch (content.shape()) {
                case SQUARE -> true;
                case CIRCLE -> r2 <= 0.25;
                case RING -> r2 <= 0.25 && r2 >= 0.0625;
                // Apex at the top centre, base along the bottom edge: |u - 1/2| <= v / 2.
                case TRIANGLE -> Math.abs(du) <= v / 2;
            };
        }
    }

    private ShapesWorld() {
    }

    /**
     * {@code count} scenes drawn from {@code seed}: content uniformly from {@code contents}, a side of
     * {@link #MIN_EXTENT}..{@link #MAX_EXTENT} px and a position with the shape fully inside.
     */
    public static List<Scene> scenes(List<Content> contents, int count, long seed) {
        if (count < 0 || count > 1_000_000) {
            throw new DiffijException("a shapes data set holds 0 to 1000000 images, not " + count);
        }
        if (contents.isEmpty()) {
            throw new DiffijException("a shapes data set needs at least one caption to draw from");
        }
        Random random = new Random(seed);
        List<Scene> scenes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Content content = contents.get(random.nextInt(contents.size()));
            int extent = MIN_EXTENT + random.nextInt(MAX_EXTENT - MIN_EXTENT + 1);
            int left = random.nextInt(SIZE - extent + 1);
            int top = random.nextInt(SIZE - extent + 1);
            scenes.add(new Scene(content, left, top, extent));
        }
        return List.copyOf(scenes);
    }
}
