package org.diffij.conditioning;

import net.imglib2.Interval;
import net.imglib2.RandomAccess;
import net.imglib2.type.numeric.RealType;
import org.diffij.DiffijException;

/** Checks and row access for the 2-D images (x = column, y = row) the conditioning maps work on. */
final class Planes {

    /** Images larger than this per axis are refused: every map here allocates a few int arrays per pixel. */
    static final long MAX_SIDE = 32_768;
    /** 16384 x 16384: above this a map's working arrays no longer fit a typical Java heap. */
    static final long MAX_PIXELS = 1L << 28;

    private Planes() {
    }

    static void requirePlane(Interval image, String what) {
        if (image.numDimensions() != 2) {
            throw new DiffijException(what + " must be a 2-D image (x, y), got " + image.numDimensions()
                    + " dimensions");
        }
        requireSize(image, what);
    }

    static void requireSize(Interval image, String what) {
        for (int d = 0; d < Math.min(2, image.numDimensions()); d++) {
            if (image.dimension(d) < 1 || image.dimension(d) > MAX_SIDE) {
                throw new DiffijException(what + " is " + image.dimension(0) + " x " + image.dimension(1)
                        + " pixels; each side must be between 1 and " + MAX_SIDE);
            }
        }
        if (image.numDimensions() >= 2 && image.dimension(0) * image.dimension(1) > MAX_PIXELS) {
            throw new DiffijException(what + " is " + image.dimension(0) + " x " + image.dimension(1)
                    + " pixels, more than " + MAX_PIXELS + "; crop it or scale it down first");
        }
    }

    static void requireSameSize(Interval a, Interval b) {
        if (a.dimension(0) != b.dimension(0) || a.dimension(1) != b.dimension(1)) {
            throw new DiffijException("output is " + b.dimension(0) + " x " + b.dimension(1)
                    + " but the image is " + a.dimension(0) + " x " + a.dimension(1));
        }
    }

    static int width(Interval image) {
        return (int) image.dimension(0);
    }

    static int height(Interval image) {
        return (int) image.dimension(1);
    }

    /** Reads row {@code y} (0-based within the interval) of a 2-D image into {@code line}. */
    static void readRow(RandomAccess<? extends RealType<?>> access, Interval image, int y, double[] line) {
        access.setPosition(image.min(0), 0);
        access.setPosition(image.min(1) + y, 1);
        for (int x = 0; x < line.length; x++) {
            line[x] = access.get().getRealDouble();
            access.fwd(0);
        }
    }
}
