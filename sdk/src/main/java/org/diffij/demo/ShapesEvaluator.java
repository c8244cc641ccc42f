package org.diffij.demo;

import java.util.ArrayDeque;
import java.util.Arrays;
import org.diffij.demo.ShapesWorld.Background;
import org.diffij.demo.ShapesWorld.Colour;
import org.diffij.demo.ShapesWorld.Content;
import org.diffij.demo.ShapesWorld.Shape;
import org.diffij.image.RgbImage;

/**
 * Reads what a shapes-world image shows, to score generated images: the background from the image's
 * border, the shape as the largest connected region that differs from it, its colour by the nearest
 * palette entry to the region's median, and its kind from the region's structure — an enclosed hole
 * makes a ring, a filled bounding box a square, rows that widen from top to bottom a triangle, and
 * anything else round a circle. Tolerant of the blur and noise of generated images.
 */
public final class ShapesEvaluator {

    /** What an image shows; {@code shape} and {@code colour} are null when no shape stands out. */
    public record Reading(Shape shape, Colour colour, Background background) {

        public boolean matches(Content expected) {
            return expected.shape() == shape && expected.colour() == colour && expected.background() == background;
        }

        @Override
        public String toString() {
            return shape == null ? "no shape on " + background.word() : colour.word() + " " + shape.word() + " on "
                    + background.word();
        }
    }

    /** How far (RGB distance, 0..441) a pixel must be from the background to belong to the shape. */
    private static final double FOREGROUND_DISTANCE = 60;
    /** A region smaller than this share of the image is noise, not a shape (the smallest shape is 7%). */
    private static final double MIN_AREA_SHARE = 0.02;
    /** Enclosed background of at least this share of the region's area makes it a ring (a ring has 1/3). */
    private static final double HOLE_SHARE = 0.12;
    /** A region filling at least this share of its bounding box is a square (a circle fills 0.79). */
    private static final double SQUARE_FILL = 0.9;
    /** Top-third width over bottom-third width below this is a triangle (ideally 0.2; a circle 1). */
    private static final double TRIANGLE_TAPER = 0.6;

    private static final int[][] STEPS = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};

    private ShapesEvaluator() {
    }

    public static Reading read(RgbImage image) {
        int w = image.width();
        int h = image.height();
        int[] pixels = image.toPackedRgb();
        int border = borderMedian(pixels, w, h);
        Background background = nearestBackground(border);
        boolean[] foreground = new boolean[pixels.length];
        for (int i = 0; i < pixels.length; i++) {
            foreground[i] = distance(pixels[i], border) > FOREGROUND_DISTANCE;
        }
        boolean[] region = largestRegion(foreground, w, h);
        int area = count(region);
        if (area < MIN_AREA_SHARE * w * h) {
            return new Reading(null, null, background);
        }
        return new Reading(shapeOf(region, area, w, h), nearestColour(median(pixels, region)), background);
    }

    private static Shape shapeOf(boolean[] region, int area, int w, int h) {
        int left = w;
        int right = -1;
        int top = h;
        int bottom = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (region[y * w + x]) {
                    left = Math.min(left, x);
                    right = Math.max(right, x);
                    top = Math.min(top, y);
                    bottom = Math.max(bottom, y);
                }
            }
        }
        int bw = right - left + 1;
        int bh = bottom - top + 1;
        if (enclosedBackground(region, w, left, top, bw, bh) >= HOLE_SHARE * area) {
            return Shape.RING;
        }
        if (area >= SQUARE_FILL * bw * bh) {
            return Shape.SQUARE;
        }
        double topWidth = meanRowWidth(region, w, top, top + bh / 3);
        double bottomWidth = meanRowWidth(region, w, bottom - bh / 3 + 1, bottom + 1);
        return topWidth < TRIANGLE_TAPER * bottomWidth ? Shape.TRIANGLE : Shape.CIRCLE;
    }

    /** Pixels inside the bounding box that are not in the region and cannot reach the box's edge. */
    private static int enclosedBackground(boolean[] region, int w, int left, int top, int bw, int bh) {
        boolean[] outside = new boolean[bw * bh];
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int y = 0; y < bh; y++) {
            for (int x = 0; x < bw; x++) {
                boolean edge = x == 0 || y == 0 || x == bw - 1 || y == bh - 1;
                if (edge && !region[(top + y) * w + left + x]) {
                    outside[y * bw + x] = true;
                    queue.add(y * bw + x);
                }
            }
        }
        while (!queue.isEmpty()) {
            int at = queue.poll();
            int x = at % bw;
            int y = at / bw;
            for (int[] s : STEPS) {
                int nx = x + s[0];
                int ny = y + s[1];
                if (nx >= 0 && ny >= 0 && nx < bw && ny < bh && !outside[ny * bw + nx]
                        && !region[(top + ny) * w + left + nx]) {
                    outside[ny * bw + nx] = true;
                    queue.add(ny * bw + nx);
                }
            }
        }
        int enclosed = 0;
        for (int y = 0; y < bh; y++) {
            for (int x = 0; x < bw; x++) {
                if (!outside[y * bw + x] && !region[(top + y) * w + left + x]) {
                    enclosed++;
                }
            }
        }
        return enclosed;
    }

    private static double meanRowWidth(boolean[] region, int w, int fromRow, int toRow) {
        int total = 0;
        int rows = 0;
        for (int y = fromRow; y < toRow; y++) {
            for (int x = 0; x < w; x++) {
                total += region[y * w + x] ? 1 : 0;
            }
            rows++;
        }
        return rows == 0 ? 0 : (double) total / rows;
    }

    /** The largest 4-connected set of true pixels. */
    private static boolean[] largestRegion(boolean[] mask, int w, int h) {
        int[] label = new int[mask.length];
        int best = 0;
        int bestSize = 0;
        int next = 0;
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int start = 0; start < mask.length; start++) {
            if (!mask[start] || label[start] != 0) {
                continue;
            }
            next++;
            int size = 0;
            label[start] = next;
            queue.add(start);
            while (!queue.isEmpty()) {
                int at = queue.poll();
                size++;
                int x = at % w;
                int y = at / w;
                int[] neighbours = {x > 0 ? at - 1 : -1, x < w - 1 ? at + 1 : -1, y > 0 ? at - w : -1,
                    y < h - 1 ? at + w : -1};
                for (int n : neighbours) {
                    if (n >= 0 && mask[n] && label[n] == 0) {
                        label[n] = next;
                        queue.add(n);
                    }
                }
            }
            if (size > bestSize) {
                bestSize = size;
                best = next;
            }
        }
        boolean[] region = new boolean[mask.length];
        for (int i = 0; i < mask.length; i++) {
            region[i] = best != 0 && label[i] == best;
        }
        return region;
    }

    private static int borderMedian(int[] pixels, int w, int h) {
        int n = 0;
        int[] border = new int[2 * w + 2 * h];
        for (int x = 0; x < w; x++) {
            border[n++] = pixels[x];
            border[n++] = pixels[(h - 1) * w + x];
        }
        for (int y = 1; y < h - 1; y++) {
            border[n++] = pixels[y * w];
            border[n++] = pixels[y * w + w - 1];
        }
        return channelMedian(Arrays.copyOf(border, n));
    }

    private static int median(int[] pixels, boolean[] region) {
        int[] inside = new int[count(region)];
        int n = 0;
        for (int i = 0; i < pixels.length; i++) {
            if (region[i]) {
                inside[n++] = pixels[i];
            }
        }
        return channelMedian(inside);
    }

    /** The per-channel median of packed pixels, packed. */
    private static int channelMedian(int[] packed) {
        int result = 0;
        for (int shift = 16; shift >= 0; shift -= 8) {
            int[] channel = new int[packed.length];
            for (int i = 0; i < packed.length; i++) {
                channel[i] = (packed[i] >> shift) & 0xff;
            }
            Arrays.sort(channel);
            result |= channel[channel.length / 2] << shift;
        }
        return result;
    }

    private static Background nearestBackground(int packed) {
        Background best = null;
        for (Background b : Background.values()) {
            if (best == null || distance(packed, b.packed()) < distance(packed, best.packed())) {
                best = b;
            }
        }
        return best;
    }

    private static Colour nearestColour(int packed) {
        Colour best = null;
        for (Colour c : Colour.values()) {
            if (best == null || distance(packed, c.packed()) < distance(packed, best.packed())) {
                best = c;
            }
        }
        return best;
    }

    private static double distance(int a, int b) {
        int dr = ((a >> 16) & 0xff) - ((b >> 16) & 0xff);
        int dg = ((a >> 8) & 0xff) - ((b >> 8) & 0xff);
        int db = (a & 0xff) - (b & 0xff);
        return Math.sqrt(dr * dr + dg * dg + db * db);
    }

    private static int count(boolean[] mask) {
        int n = 0;
        for (boolean b : mask) {
            n += b ? 1 : 0;
        }
        return n;
    }
}
