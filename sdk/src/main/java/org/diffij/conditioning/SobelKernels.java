package org.diffij.conditioning;

import org.diffij.DiffijException;

/**
 * The integer kernels of OpenCV's first-derivative Sobel operator of aperture 3, 5 or 7: the
 * smoothing kernel is the binomial row of length {@code aperture} and the derivative kernel the
 * binomial row of length {@code aperture - 2} convolved with {@code [-1, 0, 1]} (so a positive
 * response means the intensity grows towards higher indices).
 */
public final class SobelKernels {

    private SobelKernels() {
    }

    /** The apertures OpenCV's Sobel and Canny accept. */
    public static void checkAperture(int aperture) {
        if (aperture != 3 && aperture != 5 && aperture != 7) {
            throw new DiffijException("aperture size " + aperture + " is not supported: use 3, 5 or 7");
        }
    }

    /** {@code [1, 2, 1]}, {@code [1, 4, 6, 4, 1]}, {@code [1, 6, 15, 20, 15, 6, 1]}. */
    public static int[] smoothing(int aperture) {
        checkAperture(aperture);
        return binomial(aperture);
    }

    /** {@code [-1, 0, 1]}, {@code [-1, -2, 0, 2, 1]}, {@code [-1, -4, -5, 0, 5, 4, 1]}. */
    public static int[] derivative(int aperture) {
        checkAperture(aperture);
        int[] inner = binomial(aperture - 2);
        int[] kernel = new int[aperture];
        for (int i = 0; i < inner.length; i++) {
            kernel[i] -= inner[i];
            kernel[i + 2] += inner[i];
        }
        return kernel;
    }

    private static int[] binomial(int length) {
        int[] row = new int[length];
        row[0] = 1;
        for (int n = 1; n < length; n++) {
            for (int k = n; k > 0; k--) {
                row[k] += row[k - 1];
            }
        }
        return row;
    }
}
