package org.diffij.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * The sinusoidal embedding of (possibly fractional) timesteps: {@code sin} and {@code cos} of
 * {@code t · exp(-ln(10000) · i / (dim/2 - freq_shift))}, cosines first when {@code flip_sin_to_cos}.
 */
public final class Timesteps {

    private static final double MAX_PERIOD = 10000;

    private final int dim;
    private final boolean flipSinToCos;
    private final float freqShift;

    public Timesteps(int dim, boolean flipSinToCos, float freqShift) {
        this.dim = dim;
        this.flipSinToCos = flipSinToCos;
        this.freqShift = freqShift;
    }

    /** {@code timesteps (N)} of any numeric dtype → {@code (N, dim)} float32. */
    public NDArray forward(NDArray timesteps) {
        int half = dim / 2;
        NDArray exponent = timesteps.getManager().arange(0, half, 1, DataType.FLOAT32)
                .mul((float) -Math.log(MAX_PERIOD)).div(half - freqShift);
        NDArray args = timesteps.toType(DataType.FLOAT32, false).expandDims(1).mul(exponent.exp().expandDims(0));
        NDArray sin = args.sin();
        NDArray cos = args.cos();
        NDArray emb = flipSinToCos ? cos.concat(sin, 1) : sin.concat(cos, 1);
        if (dim % 2 == 1) {
            emb = emb.pad(new ai.djl.ndarray.types.Shape(0, 1), 0);
        }
        return emb;
    }
}
