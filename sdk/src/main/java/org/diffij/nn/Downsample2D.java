package org.diffij.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * A stride-2 3×3 {@code conv}. With padding 0 (the VAE encoder) the input is first padded by one
 * zero row and column at the bottom and right, as diffusers does.
 */
public final class Downsample2D {

    private final Conv2d conv;
    private final boolean padBottomRight;

    public Downsample2D(Params p, long channels, int padding) {
        this.conv = new Conv2d(p.at("conv"), channels, channels, 3, 2, padding);
        this.padBottomRight = padding == 0;
    }

    public NDArray forward(NDArray x) {
        // DJL's pad takes (before, after) pairs from the last axis backwards, like torch's F.pad.
        return conv.forward(padBottomRight ? x.pad(new Shape(0, 1, 0, 1), 0) : x);
    }
}
