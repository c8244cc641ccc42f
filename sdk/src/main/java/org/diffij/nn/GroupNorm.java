package org.diffij.nn;

import ai.djl.ndarray.NDArray;

/** Group normalisation of {@code (N, C, ...)} over {@code groups} channel groups with a per-channel affine map (per-request replaceable). */
public final class GroupNorm {

    private final int groups;
    private final float eps;
    private final String module;
    private final NDArray weight;
    private final NDArray bias;

    public GroupNorm(Params p, int groups, long channels, float eps) {
        if (channels % groups != 0) {
            throw new org.diffij.DiffijException("GroupNorm " + p.prefix() + ": " + channels
                    + " channels cannot be split into " + groups + " groups; check norm_num_groups in config.json");
        }
        this.groups = groups;
        this.eps = eps;
        this.module = p.prefix();
        this.weight = p.tensor("weight", channels);
        this.bias = p.tensor("bias", channels);
    }

    public NDArray forward(NDArray x) {
        return OpProfile.time("group norm", () -> Kernels.get().groupNorm(x, groups, ReplacedWeights.weight(module, weight),
                ReplacedWeights.bias(module, bias), eps));
    }

    /** SiLU of the normalised input, the usual pairing in resnets and before output convs. */
    public NDArray forwardSilu(NDArray x) {
        return OpProfile.time("group norm + SiLU",
                () -> Kernels.get().groupNormSilu(x, groups, ReplacedWeights.weight(module, weight),
                ReplacedWeights.bias(module, bias), eps));
    }
}
