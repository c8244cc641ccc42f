package org.diffij.conditioning;

import java.util.ArrayList;
import java.util.List;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import org.diffij.DiffijException;

/**
 * An inpainting mask from area selections: 255 where the image is to be repainted, 0 where it is
 * kept. The polygons are filled (a pixel is inside when its centre is, even-odd rule, several
 * polygons united; the same pixels as ImageJ's selection masks), the area then grows by {@code grow} px (negative: shrinks; exact Euclidean
 * distance) and its edge is feathered by a Gaussian of sigma {@code feather} px (0 = hard edge).
 */
public final class InpaintMask {

    private final double grow;
    private final double feather;

    public InpaintMask(double grow, double feather) {
        if (!(Math.abs(grow) <= 1000)) {
            throw new DiffijException("grow must be between -1000 and 1000 pixels, got " + grow);
        }
        if (!(feather >= 0 && feather <= 1000)) {
            throw new DiffijException("feather must be between 0 and 1000 pixels, got " + feather);
        }
        this.grow = grow;
        this.feather = feather;
    }

    /** The mask of simple areas, one polygon each, united. */
    public Img<UnsignedByteType> draw(List<Polyline> areas, int width, int height) {
        return drawAreas(areas.stream().map(List::of).toList(), width, height);
    }

    /**
     * The mask of areas that may have holes: each area is a list of rings filled together by the
     * even-odd rule (a ring inside another cuts a hole); the areas are united.
     */
    public Img<UnsignedByteType> drawAreas(List<List<Polyline>> areas, int width, int height) {
        if (width < 1 || height < 1 || width > Planes.MAX_SIDE || height > Planes.MAX_SIDE) {
            throw new DiffijException("mask size " + width + " x " + height + " is out of range");
        }
        if (areas.isEmpty()) {
            throw new DiffijException("no area to mask: select an area (rectangle, oval, polygon, freehand) first");
        }
        boolean[] inside = new boolean[width * height];
        for (List<Polyline> area : areas) {
            fill(area, inside, width, height);
        }
        if (grow != 0) {
            inside = grown(inside, width, height);
        }
        byte[] pixels = new byte[width * height];
        if (feather == 0) {
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = inside[i] ? (byte) 255 : 0;
            }
            return ArrayImgs.unsignedBytes(pixels, width, height);
        }
        float[] hard = new float[width * height];
        for (int i = 0; i < hard.length; i++) {
            hard[i] = inside[i] ? 255f : 0f;
        }
        float[] soft = Images.floats(SeparableFilter.gaussian(feather).apply(ArrayImgs.floats(hard, width, height)));
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (int) Math.rint(Math.min(255, Math.max(0, soft[i])));
        }
        return ArrayImgs.unsignedBytes(pixels, width, height);
    }

    /**
     * Scanline fill of one area's rings by pixel centres, even-odd rule, OR-ed into {@code inside}. A
     * centre exactly on a left edge is outside, on a right edge inside: the tie rule of ImageJ's
     * polygon filler, so that an unchanged selection gives exactly ImageJ's own mask.
     */
    static void fill(List<Polyline> rings, boolean[] inside, int width, int height) {
        double[][] xs = rings.stream().map(Polyline::xs).toArray(double[][]::new);
        double[][] ys = rings.stream().map(Polyline::ys).toArray(double[][]::new);
        List<Double> crossings = new ArrayList<>();
        for (int y = 0; y < height; y++) {
            double cy = y + 0.5;
            crossings.clear();
            for (int r = 0; r < xs.length; r++) {
                addCrossings(xs[r], ys[r], cy, crossings);
            }
            crossings.sort(null);
            for (int k = 0; k + 1 < crossings.size(); k += 2) {
                int from = (int) Math.max(0, Math.floor(crossings.get(k) - 0.5) + 1);
                int to = (int) Math.min(width - 1, Math.floor(crossings.get(k + 1) - 0.5));
                for (int x = from; x <= to; x++) {
                    inside[y * width + x] = true;
                }
            }
        }
    }

    private static void addCrossings(double[] xs, double[] ys, double cy, List<Double> crossings) {
        int n = xs.length;
        for (int i = 0; i < n; i++) {
            int j = (i + 1) % n;
            double ya = ys[i];
            double yb = ys[j];
            if ((ya <= cy && yb > cy) || (yb <= cy && ya > cy)) {
                crossings.add(xs[i] + (cy - ya) / (yb - ya) * (xs[j] - xs[i]));
            }
        }
    }

    private boolean[] grown(boolean[] inside, int width, int height) {
        boolean growing = grow > 0;
        double[] distanceSquared = squaredDistanceTo(inside, growing, width, height);
        double limit = grow * grow;
        boolean[] out = new boolean[inside.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = growing ? distanceSquared[i] <= limit : distanceSquared[i] > limit;
        }
        return out;
    }

    /**
     * Squared Euclidean distance from each pixel to the nearest pixel whose {@code inside} equals
     * {@code target} (Felzenszwalb and Huttenlocher's separable transform, exact).
     */
    static double[] squaredDistanceTo(boolean[] inside, boolean target, int width, int height) {
        double infinity = 1e20;
        double[] d = new double[width * height];
        for (int i = 0; i < d.length; i++) {
            d[i] = inside[i] == target ? 0 : infinity;
        }
        double[] line = new double[Math.max(width, height)];
        double[] result = new double[line.length];
        for (int x = 0; x < width; x++) {
            for (int y = 0; y < height; y++) {
                line[y] = d[y * width + x];
            }
            transform1d(line, height, result);
            for (int y = 0; y < height; y++) {
                d[y * width + x] = result[y];
            }
        }
        for (int y = 0; y < height; y++) {
            System.arraycopy(d, y * width, line, 0, width);
            transform1d(line, width, result);
            System.arraycopy(result, 0, d, y * width, width);
        }
        return d;
    }

    private static void transform1d(double[] f, int n, double[] out) {
        int[] v = new int[n];
        double[] z = new double[n + 1];
        int k = 0;
        v[0] = 0;
        z[0] = Double.NEGATIVE_INFINITY;
        z[1] = Double.POSITIVE_INFINITY;
        for (int q = 1; q < n; q++) {
            double s = ((f[q] + q * (double) q) - (f[v[k]] + v[k] * (double) v[k])) / (2.0 * q - 2.0 * v[k]);
            while (s <= z[k]) {
                k--;
                s = ((f[q] + q * (double) q) - (f[v[k]] + v[k] * (double) v[k])) / (2.0 * q - 2.0 * v[k]);
            }
            k++;
            v[k] = q;
            z[k] = s;
            z[k + 1] = Double.POSITIVE_INFINITY;
        }
        k = 0;
        for (int q = 0; q < n; q++) {
            while (z[k + 1] < q) {
                k++;
            }
            out[q] = (q - v[k]) * (double) (q - v[k]) + f[v[k]];
        }
    }
}
