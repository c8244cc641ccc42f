package org.diffij.nn;

import ai.djl.ndarray.NDArray;

/** Group normalisation of {@code (N, C, ...)} over {@code groups} channel groups with a per-channel affine map. */
public final class GroupNorm {

    private final int groups;
    private final float eps;
    private final NDArray weight;
    private final NDArray bias;

    public GroupNorm(Params p, int groups, long channels, float eps) {
        if (channels % groups != 0) {
            throw new org.diffij.DiffijException("GroupNorm " + p.prefix() + ": " + channels
                    + " channels cannot be split into " + groups + " groups; check norm_num_groups in config.json");
        }
        this.groups = groups;
        this.eps = eps;
        this.weight = p.tensor("weight", channels);
        this.bias = p.tensor("bias", channels);
    }

    public NDArray forward(NDArray x) {
        return OpProfile.time("group norm", () -> Kernels.get().groupNorm(x, groups, weight, bias, eps));
    }

    /** SiLU of the normalised input, the usual pairing in resnets and before output convs. */
    public NDArray forwardSilu(NDArray x) {
        return OpProfile.time("group norm + SiLU",
                () -> Kernels.get().groupNormSilu(x, groups, weight, bias, eps));
    }
}
