package org.diffij.models.vae;

import ai.djl.ndarray.NDArray;
import org.diffij.nn.Params;
import org.diffij.nn.ResnetBlock2D;
import org.diffij.nn.SpatialSelfAttention;

/** The VAE bottleneck: resnet, self-attention over the pixels (unless disabled), resnet. */
final class UNetMidBlock2D {

    private final ResnetBlock2D first;
    private final SpatialSelfAttention attention;
    private final ResnetBlock2D second;

    UNetMidBlock2D(Params p, long channels, int groups, float eps, boolean addAttention) {
        this.first = new ResnetBlock2D(p.at("resnets", 0), channels, channels, 0, groups, eps, 1f);
        this.attention = addAttention
                ? new SpatialSelfAttention(p.at("attentions", 0), channels, channels, groups, eps) : null;
        this.second = new ResnetBlock2D(p.at("resnets", 1), channels, channels, 0, groups, eps, 1f);
    }

    NDArray forward(NDArray x) {
        NDArray h = first.forward(x, null);
        if (attention != null) {
            h = attention.forward(h);
        }
        return second.forward(h, null);
    }
}
