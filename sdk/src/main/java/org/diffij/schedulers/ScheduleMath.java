package org.diffij.schedulers;

/**
 * The numpy routines diffusers builds its schedules with, in float64 with numpy's rounding so that
 * timesteps land on exactly the same values: {@code linspace}, {@code arange} with a float step,
 * {@code interp} on an integer grid, {@code round} (half to even), and Karras' sigma ramp.
 */
final class ScheduleMath {

    private ScheduleMath() {
    }

    /** {@code np.linspace(start, stop, num)}: {@code i * step + start}, the last value exactly {@code stop}. */
    static double[] linspace(double start, double stop, int num) {
        double[] out = new double[num];
        if (num == 1) {
            out[0] = start;
            return out;
        }
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) {
            out[i] = i * step + start;
        }
        out[num - 1] = stop;
        return out;
    }

    /** {@code np.arange(start, stop, step)} for floats: length {@code ceil((stop - start) / step)}. */
    static double[] arange(double start, double stop, double step) {
        int length = (int) Math.max(0, Math.ceil((stop - start) / step));
        double[] out = new double[length];
        if (length == 0) {
            return out;
        }
        out[0] = start;
        double delta = (start + step) - start;
        for (int i = 1; i < length; i++) {
            out[i] = start + i * delta;
        }
        return out;
    }

    /** {@code np.round} of every value: halves go to the even neighbour. */
    static double[] round(double[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Math.rint(values[i]);
        }
        return out;
    }

    static double[] reversed(double[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[values.length - 1 - i];
        }
        return out;
    }

    /** Every value rounded to float32, as {@code astype(np.float32)}. */
    static double[] toFloat32(double[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    /** {@code np.interp(x, arange(len(table)), table)}. */
    static double interp(double x, float[] table) {
        if (x <= 0) {
            return table[0];
        }
        int last = table.length - 1;
        if (x >= last) {
            return table[last];
        }
        int j = (int) Math.floor(x);
        if (x == j) {
            return table[j];
        }
        double slope = ((double) table[j + 1] - table[j]);
        return slope * (x - j) + table[j];
    }

    /** Karras et al. (2022) sigmas: {@code rho = 7} interpolation from sigmaMax down to sigmaMin. */
    static double[] karras(double sigmaMin, double sigmaMax, int steps) {
        double rho = 7.0;
        double[] ramp = linspace(0, 1, steps);
        double minInvRho = Math.pow(sigmaMin, 1 / rho);
        double maxInvRho = Math.pow(sigmaMax, 1 / rho);
        double[] out = new double[steps];
        for (int i = 0; i < steps; i++) {
            out[i] = Math.pow(maxInvRho + ramp[i] * (minInvRho - maxInvRho), rho);
        }
        return out;
    }

    static float max(float[] values) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : values) {
            max = Math.max(max, v);
        }
        return max;
    }
}
