package org.diffij.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** A 2-D convolution with square kernel, {@code weight [out, in, k, k]} and {@code bias [out]}. */
public final class Conv2d {

    private final NDArray weight;
    private final NDArray bias;
    private final Shape stride;
    private final Shape padding;

    public Conv2d(Params p, long in, long out, int kernel, int stride, int padding) {
        this.weight = p.tensor("weight", out, in, kernel, kernel);
        this.bias = p.tensor("bias", out);
        this.stride = new Shape(stride, stride);
        this.padding = new Shape(padding, padding);
    }

    public NDArray forward(NDArray x) {
        return ai.djl.nn.convolutional.Conv2d.conv2d(x, weight, bias, stride, padding, new Shape(1, 1), 1).head();
    }
}
