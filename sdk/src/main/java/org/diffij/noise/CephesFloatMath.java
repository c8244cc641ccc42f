package org.diffij.noise;

/**
 * The float32 log and sine/cosine of torch's AVX2 normal kernel ({@code avx_mathfun.h}: Cephes
 * polynomials after Pommier's SSE port), evaluated with the fused multiply-adds that GCC contracts
 * in libtorch's x86-64 build, so that {@link TorchCpuNoise} reproduces libtorch bit for bit. Valid
 * for the arguments the kernel passes: log on (0, 1], sincos on [0, 2 pi).
 */
final class CephesFloatMath {

    private static final float SQRT_HALF = 0.707106781186547524f;
    private static final float[] LOG_POLY = {7.0376836292E-2f, -1.1514610310E-1f, 1.1676998740E-1f,
        -1.2420140846E-1f, 1.4249322787E-1f, -1.6668057665E-1f, 2.0000714765E-1f, -2.4999993993E-1f,
        3.3333331174E-1f};
    private static final float LOG_Q1 = -2.12194440e-4f;
    private static final float LOG_Q2 = 0.693359375f;
    private static final float FOUR_OVER_PI = 1.27323954473516f;
    private static final float DP1 = -0.78515625f;
    private static final float DP2 = -2.4187564849853515625e-4f;
    private static final float DP3 = -3.77489497744594108e-8f;
    private static final float[] SIN_POLY = {-1.9515295891E-4f, 8.3321608736E-3f, -1.6666654611E-1f};
    private static final float[] COS_POLY = {2.443315711809948E-005f, -1.388731625493765E-003f,
        4.166664568298827E-002f};

    private CephesFloatMath() {
    }

    /** Natural log: exponent and mantissa in [sqrt(1/2), sqrt(2)), then a degree-9 polynomial. */
    static float log(float value) {
        int bits = Float.floatToRawIntBits(Math.max(value, Float.MIN_NORMAL));
        float e = (float) ((bits >>> 23) - 0x7f) + 1f;
        float x = Float.intBitsToFloat((bits & ~0x7f800000) | Float.floatToRawIntBits(0.5f));
        boolean small = x < SQRT_HALF;
        float extra = small ? x : 0f;
        x = x - 1f;
        e = e - (small ? 1f : 0f);
        x = x + extra;
        float z = x * x;
        float y = LOG_POLY[0];
        for (int i = 1; i < LOG_POLY.length; i++) {
            y = Math.fma(y, x, LOG_POLY[i]);
        }
        y = y * x;
        y = Math.fma(y, z, e * LOG_Q1);
        y = Math.fma(-z, 0.5f, y);
        x = x + y;
        return Math.fma(e, LOG_Q2, x);
    }

    /** {sin, cos}: reduction by multiples of pi/4 in three parts, then one of two polynomials. */
    static float[] sinCos(float value) {
        float x = Math.abs(value);
        int sinSign = Float.floatToRawIntBits(value) & 0x80000000;
        int octant = ((int) (x * FOUR_OVER_PI) + 1) & ~1;
        float y = (float) octant;
        int swapSin = (octant & 4) << 29;
        boolean sinFromSinPoly = (octant & 2) == 0;
        x = Math.fma(y, DP1, x);
        x = Math.fma(y, DP2, x);
        x = Math.fma(y, DP3, x);
        int cosSign = (~(octant - 2) & 4) << 29;
        sinSign ^= swapSin;
        float z = x * x;
        float c = Math.fma(COS_POLY[0], z, COS_POLY[1]);
        c = Math.fma(c, z, COS_POLY[2]);
        c = c * z;
        c = Math.fma(c, z, -(z * 0.5f));
        c = c + 1f;
        float s = Math.fma(SIN_POLY[0], z, SIN_POLY[1]);
        s = Math.fma(s, z, SIN_POLY[2]);
        s = s * z;
        s = Math.fma(s, x, x);
        float sin = sinFromSinPoly ? s : c;
        float cos = sinFromSinPoly ? c : s;
        return new float[] {
            Float.intBitsToFloat(Float.floatToRawIntBits(sin) ^ sinSign),
            Float.intBitsToFloat(Float.floatToRawIntBits(cos) ^ cosSign)};
    }
}
