package org.diffij.noise;

/**
 * {@code torch.randn(shape, device="cuda")} after {@code torch.manual_seed(seed)}: the noise behind
 * A1111's default "GPU" random source, reproduced on any machine (A1111 calls its CPU copy "NV").
 * Torch's CUDA kernel gives element {@code i} its own curand Philox4x32-10 stream (subsequence
 * {@code i}, counter words 2-3) at the generator's offset (counter word 0) and keeps the first value of
 * a Box-Muller pair made from the stream's first two outputs; every draw advances the offset by one.
 * This equals the CUDA result while a draw fits in one pass of the GPU's resident threads (SMs x
 * 1536..2048, e.g. every SD latent up to 1024x1024 on current GPUs); larger draws differ there, as
 * they do between GPU models. Values agree with the GPU's fast-math result to about 1e-6.
 */
public final class PhiloxNoise implements NoiseSource {

    private static final float TWO_POW32_INV = 2.3283064e-10f;
    private static final float TWO_POW32_INV_2PI = 2.3283064e-10f * 6.2831855f;

    private final int keyLow;
    private final int keyHigh;
    private long offset;

    public PhiloxNoise(long seed) {
        this.keyLow = (int) seed;
        this.keyHigh = (int) (seed >>> 32);
    }

    @Override
    public float[] randn(long... shape) {
        float[] out = new float[NoiseSource.numel(shape)];
        int counterLow = (int) offset;
        int counterHigh = (int) (offset >>> 32);
        for (int i = 0; i < out.length; i++) {
            int[] bits = Philox4x32.block(counterLow, counterHigh, i, 0, keyLow, keyHigh);
            out[i] = boxMuller(bits[0], bits[1]);
        }
        offset++;
        return out;
    }

    /** curand's Box-Muller: uniforms at bin centres of (0, 1] and (0, 2 pi]; the sine branch. */
    private static float boxMuller(int x, int y) {
        double u = (x & 0xffffffffL) * (double) TWO_POW32_INV + TWO_POW32_INV / 2.0;
        double v = (y & 0xffffffffL) * (double) TWO_POW32_INV_2PI + TWO_POW32_INV_2PI / 2.0;
        double radius = Math.sqrt(-2.0 * Math.log(u));
        return (float) (radius * Math.sin(v));
    }
}
