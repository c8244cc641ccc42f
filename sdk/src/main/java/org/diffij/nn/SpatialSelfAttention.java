package org.diffij.nn;

import ai.djl.ndarray.NDArray;

/**
 * The VAE's attention block: GroupNorm ({@code group_norm}), single-head-per-{@code dimHead}
 * self-attention over the H·W pixels with biased projections, plus the input.
 */
public final class SpatialSelfAttention {

    private final GroupNorm groupNorm;
    private final Attention attention;

    public SpatialSelfAttention(Params p, long channels, long dimHead, int groups, float eps) {
        this.groupNorm = new GroupNorm(p.at("group_norm"), groups, channels, eps);
        this.attention = new Attention(p, channels, channels, (int) (channels / dimHead), dimHead, true);
    }

    public NDArray forward(NDArray x) {
        return Scope.run(x, input -> {
            long[] s = input.getShape().getShape();
            NDArray tokens = groupNorm.forward(input).reshape(s[0], s[1], s[2] * s[3]).transpose(0, 2, 1);
            NDArray out = attention.forward(tokens, null);
            return out.transpose(0, 2, 1).reshape(s).addi(input);
        });
    }
}
