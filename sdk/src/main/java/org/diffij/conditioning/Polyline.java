package org.diffij.conditioning;

import java.util.Arrays;
import org.diffij.DiffijException;

/**
 * A path of points in pixel coordinates: x = column, y = row, pixel (i, j) covering
 * [i, i+1) x [j, j+1) as in ImageJ's float polygons. Drawn as a stroke it is a polyline (one point
 * is a dot); filled it is a closed polygon.
 */
public record Polyline(double[] xs, double[] ys) {

    public Polyline {
        if (xs.length != ys.length) {
            throw new DiffijException("a path needs as many x as y coordinates, got " + xs.length + " and "
                    + ys.length);
        }
        if (xs.length == 0) {
            throw new DiffijException("a path needs at least one point");
        }
        for (int i = 0; i < xs.length; i++) {
            if (!Double.isFinite(xs[i]) || !Double.isFinite(ys[i])) {
                throw new DiffijException("path point " + i + " is not finite");
            }
        }
        xs = xs.clone();
        ys = ys.clone();
    }

    public int size() {
        return xs.length;
    }

    @Override
    public double[] xs() {
        return xs.clone();
    }

    @Override
    public double[] ys() {
        return ys.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Polyline p && Arrays.equals(xs, p.xs) && Arrays.equals(ys, p.ys);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(xs) + Arrays.hashCode(ys);
    }

    @Override
    public String toString() {
        return "Polyline[" + xs.length + " points]";
    }
}
