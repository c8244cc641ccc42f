package org.diffij.noise;

/**
 * {@code torch.randn(shape, generator=torch.Generator().manual_seed(seed))} on the CPU, the noise of
 * diffusers' CPU generators and of ComfyUI. Torch draws float32 tensors two ways: fewer than 16
 * values come one by one from a double-precision Box-Muller pair (the second value of a pair is kept
 * for the next draw, across calls); 16 or more are filled with float uniforms first and transformed
 * in blocks of 16 (8 radii, 8 angles), a last partial block being redrawn as the final 16 values.
 * The block transform's float math differs in the last bit between libtorch's x86-64 AVX2 kernel
 * (the default here, what x86 machines produce) and its portable kernel (ARM, e.g. Apple silicon).
 */
public final class TorchCpuNoise implements NoiseSource {

    /** Which libtorch CPU kernel's block transform to reproduce. */
    public enum Kernel {
        /** x86-64 CPUs with AVX2: Cephes float polynomials with fused multiply-adds. */
        AVX2,
        /** The portable kernel: the C library's float log, sin and cos. */
        PORTABLE
    }

    private static final int BLOCK = 16;
    private static final double TWO_PI = 2.0f * Math.PI;
    private static final float TWO_PI_FLOAT = (float) TWO_PI;

    private final Mt19937 engine;
    private final Kernel kernel;
    private boolean hasCachedNormal;
    private double cachedNormal;

    public TorchCpuNoise(long seed) {
        this(seed, Kernel.AVX2);
    }

    public TorchCpuNoise(long seed, Kernel kernel) {
        this.engine = new Mt19937(seed);
        this.kernel = kernel;
    }

    @Override
    public float[] randn(long... shape) {
        float[] out = new float[NoiseSource.numel(shape)];
        if (out.length >= BLOCK) {
            fillBlocks(out);
        } else {
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) nextDoubleNormal();
            }
        }
        return out;
    }

    private void fillBlocks(float[] data) {
        int size = data.length;
        for (int i = 0; i < size; i++) {
            data[i] = nextFloatUniform();
        }
        for (int i = 0; i + BLOCK <= size; i += BLOCK) {
            transformBlock(data, i);
        }
        if (size % BLOCK != 0) {
            int start = size - BLOCK;
            for (int i = 0; i < BLOCK; i++) {
                data[start + i] = nextFloatUniform();
            }
            transformBlock(data, start);
        }
    }

    /** Box-Muller on 16 uniforms in float arithmetic: values j and j+8 share a radius and an angle. */
    private void transformBlock(float[] data, int offset) {
        for (int j = 0; j < BLOCK / 2; j++) {
            float u1 = 1f - data[offset + j];
            float u2 = data[offset + j + BLOCK / 2];
            float cos;
            float sin;
            float radius;
            if (kernel == Kernel.AVX2) {
                radius = (float) Math.sqrt(-2f * CephesFloatMath.log(u1));
                float[] sinCos = CephesFloatMath.sinCos(TWO_PI_FLOAT * u2);
                sin = sinCos[0];
                cos = sinCos[1];
            } else {
                radius = (float) Math.sqrt(-2f * (float) Math.log(u1));
                float theta = (float) (TWO_PI * u2);
                cos = (float) Math.cos(theta);
                sin = (float) Math.sin(theta);
            }
            data[offset + j] = radius * cos;
            data[offset + j + BLOCK / 2] = radius * sin;
        }
    }

    private double nextDoubleNormal() {
        if (hasCachedNormal) {
            hasCachedNormal = false;
            return cachedNormal;
        }
        double u1 = nextDoubleUniform();
        double u2 = nextDoubleUniform();
        double radius = Math.sqrt(-2.0 * Math.log1p(-u2));
        double theta = 2.0 * Math.PI * u1;
        cachedNormal = radius * Math.sin(theta);
        hasCachedNormal = true;
        return radius * Math.cos(theta);
    }

    /** 24 random bits scaled to [0, 1). */
    private float nextFloatUniform() {
        return (engine.nextUnsigned() & ((1L << 24) - 1)) * (1.0f / (1 << 24));
    }

    /** 53 bits of two outputs (the first one high) scaled to [0, 1). */
    private double nextDoubleUniform() {
        long high = engine.nextUnsigned();
        long low = engine.nextUnsigned();
        long bits = ((high << 32) | low) & ((1L << 53) - 1);
        return bits * 0x1.0p-53;
    }
}
