package org.diffij.models.vae;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.diffij.nn.Conv2d;
import org.diffij.nn.Downsample2D;
import org.diffij.nn.GroupNorm;
import org.diffij.nn.Kernels;
import org.diffij.nn.Params;
import org.diffij.nn.ResnetBlock2D;
import org.diffij.nn.Scope;

/**
 * Image → latent moments: {@code conv_in}, per level {@code layers_per_block} resnets and (except
 * last) a padded stride-2 downsampler, the mid block, GroupNorm → SiLU → {@code conv_out} to
 * 2 × latent channels (mean and log-variance).
 */
final class Encoder {

    private static final float EPS = 1e-6f;

    private final Conv2d convIn;
    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    /** Index in {@link #resnets} after which a downsampler follows, and the downsampler. */
    private final List<Integer> downsampleAfter = new ArrayList<>();
    private final List<Downsample2D> downsamplers = new ArrayList<>();
    private final UNetMidBlock2D midBlock;
    private final GroupNorm convNormOut;
    private final Conv2d convOut;

    Encoder(Params p, AutoencoderKLConfig c) {
        int[] channels = c.blockOutChannels();
        int groups = c.normNumGroups();
        this.convIn = new Conv2d(p.at("conv_in"), c.inChannels(), channels[0], 3, 1, 1);
        long in = channels[0];
        for (int level = 0; level < channels.length; level++) {
            Params block = p.at("down_blocks", level);
            for (int i = 0; i < c.layersPerBlock(); i++) {
                resnets.add(new ResnetBlock2D(block.at("resnets", i), i == 0 ? in : channels[level], channels[level],
                        0, groups, EPS, 1f));
            }
            in = channels[level];
            if (level < channels.length - 1) {
                downsampleAfter.add(resnets.size() - 1);
                downsamplers.add(new Downsample2D(block.at("downsamplers", 0), channels[level], 0));
            }
        }
        long deepest = channels[channels.length - 1];
        this.midBlock = new UNetMidBlock2D(p.at("mid_block"), deepest, groups, EPS, c.midBlockAddAttention());
        this.convNormOut = new GroupNorm(p.at("conv_norm_out"), groups, deepest, EPS);
        this.convOut = new Conv2d(p.at("conv_out"), deepest, 2L * c.latentChannels(), 3, 1, 1);
    }

    NDArray forward(NDArray image) {
        return Scope.run(image, x -> {
            NDArray h = convIn.forward(Kernels.get().channelsLast(x));
            int next = 0;
            for (int i = 0; i < resnets.size(); i++) {
                h = resnets.get(i).forward(h, null);
                if (next < downsampleAfter.size() && downsampleAfter.get(next) == i) {
                    h = downsamplers.get(next++).forward(h);
                }
            }
            h = midBlock.forward(h);
            return Kernels.get().contiguous(convOut.forward(convNormOut.forwardSilu(h)));
        });
    }
}
