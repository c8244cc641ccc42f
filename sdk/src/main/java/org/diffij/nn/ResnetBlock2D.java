package org.diffij.nn;

import ai.djl.ndarray.NDArray;

/**
 * Two GroupNorm → SiLU → 3×3 conv stages with the (projected) timestep embedding added between
 * them and a residual connection, through a 1×1 {@code conv_shortcut} when the channel count changes.
 * Without a timestep embedding ({@code tembChannels} 0, as in the VAE) there is no {@code time_emb_proj}.
 */
public final class ResnetBlock2D {

    private final GroupNorm norm1;
    private final Conv2d conv1;
    private final Linear timeEmbProj;
    private final GroupNorm norm2;
    private final Conv2d conv2;
    private final Conv2d convShortcut;
    private final float outputScaleFactor;

    public ResnetBlock2D(Params p, long in, long out, long tembChannels, int groups, float eps,
            float outputScaleFactor) {
        this.norm1 = new GroupNorm(p.at("norm1"), groups, in, eps);
        this.conv1 = new Conv2d(p.at("conv1"), in, out, 3, 1, 1);
        this.timeEmbProj = tembChannels > 0 ? new Linear(p.at("time_emb_proj"), tembChannels, out, true) : null;
        this.norm2 = new GroupNorm(p.at("norm2"), groups, out, eps);
        this.conv2 = new Conv2d(p.at("conv2"), out, out, 3, 1, 1);
        this.convShortcut = in != out ? new Conv2d(p.at("conv_shortcut"), in, out, 1, 1, 0) : null;
        this.outputScaleFactor = outputScaleFactor;
    }

    /** {@code temb (B, tembChannels)} or null for blocks without a timestep embedding. */
    public NDArray forward(NDArray x, NDArray temb) {
        return Scope.run(x, input -> {
            NDArray h = conv1.forward(norm1.forwardSilu(input));
            if (timeEmbProj != null) {
                NDArray t = timeEmbProj.forward(Activations.silu(temb));
                h = h.addi(t.expandDims(-1).expandDims(-1));
            }
            h = conv2.forward(norm2.forwardSilu(h));
            NDArray shortcut = convShortcut != null ? convShortcut.forward(input) : input;
            NDArray sum = h.addi(shortcut);
            return outputScaleFactor == 1f ? sum : ScalarOps.div(sum, outputScaleFactor);
        });
    }
}
