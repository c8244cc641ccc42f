package org.diffij.models.unet;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.diffij.nn.Params;
import org.diffij.nn.ResnetBlock2D;
import org.diffij.nn.Scope;
import org.diffij.nn.Upsample2D;

/** An up level of resnets on (state ‖ skip), then (except at the last level) an upsampler. */
public final class UpBlock2D implements UNetUpBlock {

    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    private final Upsample2D upsampler;

    /**
     * @param s {@code in()} = channels of the level's last skip, {@code out()} = the level's channels,
     *     {@code layers()} = resnets (layers_per_block + 1)
     * @param previousOut channels coming from the level below
     */
    public UpBlock2D(Params p, LevelSettings s, long previousOut, boolean addUpsample) {
        for (int i = 0; i < s.layers(); i++) {
            long skip = i == s.layers() - 1 ? s.in() : s.out();
            long input = i == 0 ? previousOut : s.out();
            resnets.add(new ResnetBlock2D(p.at("resnets", i), input + skip, s.out(), s.tembChannels(), s.groups(),
                    s.eps(), s.resnetScale()));
        }
        this.upsampler = addUpsample ? new Upsample2D(p.at("upsamplers", 0), s.out()) : null;
    }

    @Override
    public NDArray forward(NDArray x, Deque<NDArray> skips, NDArray temb, NDArray context, long upsampleHeight,
            long upsampleWidth) {
        NDArray h = x;
        for (ResnetBlock2D resnet : resnets) {
            NDArray skip = skips.removeLast();
            ResnetBlock2D block = resnet;
            // The concatenation is freed as soon as the resnet has consumed it.
            h = Scope.run(h, state -> block.forward(state.concat(skip, 1), temb));
        }
        return upsampler == null ? h : upsampler.forward(h, upsampleHeight, upsampleWidth);
    }
}
