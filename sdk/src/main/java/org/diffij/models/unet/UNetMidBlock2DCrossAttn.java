package org.diffij.models.unet;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.diffij.nn.Params;
import org.diffij.nn.ResnetBlock2D;
import org.diffij.nn.Transformer2DModel;

/** The bottleneck: a resnet, then (transformer, resnet) pairs. */
public final class UNetMidBlock2DCrossAttn {

    private static final int LAYERS = 1;

    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    private final List<Transformer2DModel> attentions = new ArrayList<>();

    /** {@code s.in()} = {@code s.out()} = the channels of the deepest level. */
    public UNetMidBlock2DCrossAttn(Params p, LevelSettings s) {
        resnets.add(resnet(p, 0, s));
        for (int i = 0; i < LAYERS; i++) {
            attentions.add(new Transformer2DModel(p.at("attentions", i), s.heads(), s.out() / s.heads(), s.out(),
                    s.transformerLayers(), s.crossAttentionDim(), s.groups(), s.useLinearProjection()));
            resnets.add(resnet(p, i + 1, s));
        }
    }

    private static ResnetBlock2D resnet(Params p, int index, LevelSettings s) {
        return new ResnetBlock2D(p.at("resnets", index), s.out(), s.out(), s.tembChannels(), s.groups(), s.eps(),
                s.resnetScale());
    }

    public NDArray forward(NDArray x, NDArray temb, NDArray context) {
        NDArray h = resnets.get(0).forward(x, temb);
        for (int i = 0; i < attentions.size(); i++) {
            h = resnets.get(i + 1).forward(attentions.get(i).forward(h, context), temb);
        }
        return h;
    }
}
