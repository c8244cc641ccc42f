package org.diffij.nn;

import ai.djl.ndarray.NDArray;

/** Nearest-neighbour upsampling (to twice the size, or to the size of the skip connection) then a 3×3 {@code conv}. */
public final class Upsample2D {

    private final Conv2d conv;

    public Upsample2D(Params p, long channels) {
        this.conv = new Conv2d(p.at("conv"), channels, channels, 3, 1, 1);
    }

    public NDArray forward(NDArray x) {
        long[] s = x.getShape().getShape();
        return forward(x, s[2] * 2, s[3] * 2);
    }

    public NDArray forward(NDArray x, long height, long width) {
        return Scope.run(x, input -> conv.forward(
                input.getNDArrayInternal().interpolation(new long[] {height, width}, 0, false)));
    }
}
