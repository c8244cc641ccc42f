package org.diffij.schedulers;

/** Element-wise arithmetic on flat float32 tensors, computed in double and stored as float. */
final class Elementwise {

    @FunctionalInterface
    interface Op2 {
        double apply(double a, double b);
    }

    @FunctionalInterface
    interface Op3 {
        double apply(double a, double b, double c);
    }

    private Elementwise() {
    }

    static float[] map(float[] a, float[] b, Op2 op) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (float) op.apply(a[i], b[i]);
        }
        return out;
    }

    static float[] map(float[] a, float[] b, float[] c, Op3 op) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (float) op.apply(a[i], b[i], c[i]);
        }
        return out;
    }

    static float[] scale(float[] a, double factor) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (float) (a[i] * factor);
        }
        return out;
    }

    static float[] clamp(float[] a, double range) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (float) Math.max(-range, Math.min(range, a[i]));
        }
        return out;
    }
}
