package org.diffij.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * {@code x · weightᵀ + bias} with {@code weight [out, in]}; the bias is optional. Takes run-time
 * LoRA branches and per-request weight replacements. On CPU, many rows (the pixels of a feature map) are multiplied as a 1×1
 * convolution over a channels-last view of the same memory: oneDNN runs that 1.3-1.6× faster than
 * the BLAS matrix product for these shapes, with no copy on either side.
 */
public final class Linear {

    /** Rows from which the convolution form pays off; text tokens (77) and embeddings stay matrix products. */
    private static final long CONVOLUTION_ROWS = 512;
    private static final Shape ONE = new Shape(1, 1);
    private static final Shape NONE = new Shape(0, 0);

    private final String module;
    private final NDArray weight;
    private final NDArray bias;
    private final NDArray weightAsKernel;

    public Linear(Params p, long in, long out, boolean bias) {
        this.module = p.prefix();
        this.weight = p.tensor("weight", out, in);
        this.bias = bias ? p.tensor("bias", out) : null;
        this.weightAsKernel = weight.reshape(out, in, 1, 1);
    }

    public NDArray forward(NDArray x) {
        NDArray w = ReplacedWeights.weight(module, weight);
        NDArray b = ReplacedWeights.bias(module, bias);
        NDArray y = OpProfile.time("linear", () -> product(x, w, b));
        for (LowRankBranches.Branch branch : LowRankBranches.of(module)) {
            long rank = branch.rank();
            NDArray low = ai.djl.nn.core.Linear.linear(x, Scope.view(branch.down().reshape(rank, -1), x)).head();
            if (branch.mid() != null) {
                low = ai.djl.nn.core.Linear.linear(low, Scope.view(branch.mid().reshape(-1, rank), x)).head();
            }
            NDArray up = Scope.view(branch.up().reshape(-1, low.getShape().getLastDimension()), x);
            NDArray added = ScalarOps.muli(ai.djl.nn.core.Linear.linear(low, up).head(), branch.factor());
            // Not in place while recording: y may be a tensor another op's backward still needs.
            y = Autograd.recording() ? y.add(added) : y.addi(added);
        }
        return y;
    }

    private NDArray product(NDArray x, NDArray w, NDArray b) {
        long[] s = x.getShape().getShape();
        long in = s[s.length - 1];
        long rows = x.getShape().size() / in;
        if (rows < CONVOLUTION_ROWS || x.getDevice().isGpu() || s.length != 3) {
            return (b == null ? ai.djl.nn.core.Linear.linear(x, w) : ai.djl.nn.core.Linear.linear(x, w, b)).head();
        }
        NDArray kernel = w == weight ? kernel(x) : Scope.view(w.reshape(w.getShape().get(0), in, 1, 1), x);
        // (B, N, in) as a (B, in, N, 1) channels-last feature map, and the result back as (B, N, out).
        NDArray map = x.reshape(s[0], s[1], 1, in).transpose(0, 3, 1, 2);
        NDArray out = ai.djl.nn.convolutional.Conv2d.conv2d(map, kernel, b, ONE, NONE, ONE, 1).head();
        return out.transpose(0, 2, 3, 1).reshape(s[0], s[1], -1);
    }

    /**
     * The weight as a 1×1 kernel: the same memory in NCHW and NHWC, a view, not a copy. A weight that
     * is being trained gets a fresh view per call, made while autograd records, so that the gradient
     * flows back through it (a view made earlier is outside the graph).
     */
    private NDArray kernel(NDArray x) {
        if (Autograd.recording() && Autograd.requiresGradient(weight)) {
            NDArray view = weight.reshape(weightAsKernel.getShape());
            view.attach(x.getManager());
            return view;
        }
        return weightAsKernel;
    }
}
