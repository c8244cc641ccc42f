package org.diffij.models.unet;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.diffij.nn.Downsample2D;
import org.diffij.nn.Params;
import org.diffij.nn.ResnetBlock2D;
import org.diffij.nn.Transformer2DModel;

/** A down level of resnets each followed by a text-conditioned transformer, then (except last) a downsampler. */
public final class CrossAttnDownBlock2D implements UNetDownBlock {

    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    private final List<Transformer2DModel> attentions = new ArrayList<>();
    private final Downsample2D downsampler;

    public CrossAttnDownBlock2D(Params p, LevelSettings s, boolean addDownsample, int downsamplePadding) {
        for (int i = 0; i < s.layers(); i++) {
            resnets.add(new ResnetBlock2D(p.at("resnets", i), i == 0 ? s.in() : s.out(), s.out(), s.tembChannels(),
                    s.groups(), s.eps(), s.resnetScale()));
            attentions.add(new Transformer2DModel(p.at("attentions", i), s.heads(), s.out() / s.heads(), s.out(),
                    s.transformerLayers(), s.crossAttentionDim(), s.groups(), s.useLinearProjection()));
        }
        this.downsampler = addDownsample ? new Downsample2D(p.at("downsamplers", 0), s.out(), downsamplePadding)
                : null;
    }

    @Override
    public NDArray forward(NDArray x, NDArray temb, NDArray context, List<NDArray> skips) {
        NDArray h = x;
        for (int i = 0; i < resnets.size(); i++) {
            h = attentions.get(i).forward(resnets.get(i).forward(h, temb), context);
            skips.add(h);
        }
        if (downsampler != null) {
            h = downsampler.forward(h);
            skips.add(h);
        }
        return h;
    }
}
