package org.diffij.models.unet;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.diffij.nn.Downsample2D;
import org.diffij.nn.Params;
import org.diffij.nn.ResnetBlock2D;

/** A down level of resnets only, then (except at the last level) a stride-2 downsampler. */
public final class DownBlock2D implements UNetDownBlock {

    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    private final Downsample2D downsampler;

    public DownBlock2D(Params p, LevelSettings s, boolean addDownsample, int downsamplePadding) {
        for (int i = 0; i < s.layers(); i++) {
            resnets.add(new ResnetBlock2D(p.at("resnets", i), i == 0 ? s.in() : s.out(), s.out(), s.tembChannels(),
                    s.groups(), s.eps(), s.resnetScale()));
        }
        this.downsampler = addDownsample ? new Downsample2D(p.at("downsamplers", 0), s.out(), downsamplePadding)
                : null;
    }

    @Override
    public NDArray forward(NDArray x, NDArray temb, NDArray context, List<NDArray> skips) {
        NDArray h = x;
        for (ResnetBlock2D resnet : resnets) {
            h = resnet.forward(h, temb);
            skips.add(h);
        }
        if (downsampler != null) {
            h = downsampler.forward(h);
            skips.add(h);
        }
        return h;
    }
}
