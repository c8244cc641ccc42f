package org.diffij.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** A 2-D convolution with square kernel, {@code weight [out, in, k, k]} and {@code bias [out]}. Takes run-time LoRA branches and per-request weight replacements. */
public final class Conv2d {

    private static final Shape ONE = new Shape(1, 1);
    private static final Shape NONE = new Shape(0, 0);

    private final String module;
    private final NDArray weight;
    private final NDArray bias;
    private final Shape stride;
    private final Shape padding;

    public Conv2d(Params p, long in, long out, int kernel, int stride, int padding) {
        this.module = p.prefix();
        this.weight = p.convolutionWeight("weight", out, in, kernel, kernel);
        this.bias = p.tensor("bias", out);
        this.stride = new Shape(stride, stride);
        this.padding = new Shape(padding, padding);
    }

    public NDArray forward(NDArray x) {
        NDArray kernel = ReplacedWeights.weight(module, weight);
        NDArray shift = ReplacedWeights.bias(module, bias);
        NDArray y = OpProfile.time("convolution", () ->
                ai.djl.nn.convolutional.Conv2d.conv2d(x, kernel, shift, stride, padding, ONE, 1).head());
        for (LowRankBranches.Branch b : LowRankBranches.of(module)) {
            long[] w = weight.getShape().getShape();
            long rank = b.rank();
            NDArray low;
            if (b.mid() == null) {
                NDArray down = Scope.view(b.down().reshape(rank, w[1], w[2], w[3]), x);
                low = ai.djl.nn.convolutional.Conv2d.conv2d(x, down, null, stride, padding, ONE, 1).head();
            } else {
                // Tucker: a 1×1 down, the core with the layer's kernel, stride and padding, then up.
                NDArray down = Scope.view(b.down().reshape(rank, w[1], 1, 1), x);
                low = ai.djl.nn.convolutional.Conv2d.conv2d(x, down, null, ONE, NONE, ONE, 1).head();
                low = ai.djl.nn.convolutional.Conv2d.conv2d(low, b.mid(), null, stride, padding, ONE, 1).head();
                rank = b.mid().getShape().get(0);
            }
            NDArray up = Scope.view(b.up().reshape(w[0], rank, 1, 1), x);
            NDArray added = ScalarOps.muli(ai.djl.nn.convolutional.Conv2d.conv2d(low, up, null, ONE, NONE, ONE, 1)
                    .head(), b.factor());
            y = Autograd.recording() ? y.add(added) : y.addi(added);
        }
        return y;
    }
}
