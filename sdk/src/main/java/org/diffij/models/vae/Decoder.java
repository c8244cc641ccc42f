package org.diffij.models.vae;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.diffij.nn.Conv2d;
import org.diffij.nn.GroupNorm;
import org.diffij.nn.Kernels;
import org.diffij.nn.Params;
import org.diffij.nn.ResnetBlock2D;
import org.diffij.nn.Scope;
import org.diffij.nn.Upsample2D;

/**
 * Latent → image: {@code conv_in}, the mid block, per level (deepest first) {@code layers_per_block + 1}
 * resnets and (except last) a ×2 upsampler, then GroupNorm → SiLU → {@code conv_out}.
 */
final class Decoder {

    private static final float EPS = 1e-6f;

    private final Conv2d convIn;
    private final UNetMidBlock2D midBlock;
    private final List<List<ResnetBlock2D>> levels = new ArrayList<>();
    private final List<Upsample2D> upsamplers = new ArrayList<>();
    private final GroupNorm convNormOut;
    private final Conv2d convOut;

    Decoder(Params p, AutoencoderKLConfig c) {
        int[] channels = c.blockOutChannels();
        int n = channels.length;
        int groups = c.normNumGroups();
        long deepest = channels[n - 1];
        this.convIn = new Conv2d(p.at("conv_in"), c.latentChannels(), deepest, 3, 1, 1);
        this.midBlock = new UNetMidBlock2D(p.at("mid_block"), deepest, groups, EPS, c.midBlockAddAttention());
        long out = deepest;
        for (int i = 0; i < n; i++) {
            long in = out;
            out = channels[n - 1 - i];
            Params block = p.at("up_blocks", i);
            List<ResnetBlock2D> resnets = new ArrayList<>();
            for (int j = 0; j < c.layersPerBlock() + 1; j++) {
                resnets.add(new ResnetBlock2D(block.at("resnets", j), j == 0 ? in : out, out, 0, groups, EPS, 1f));
            }
            levels.add(resnets);
            if (i < n - 1) {
                upsamplers.add(new Upsample2D(block.at("upsamplers", 0), out));
            }
        }
        this.convNormOut = new GroupNorm(p.at("conv_norm_out"), groups, channels[0], EPS);
        this.convOut = new Conv2d(p.at("conv_out"), channels[0], c.outChannels(), 3, 1, 1);
    }

    NDArray forward(NDArray latents) {
        return Scope.run(latents, z -> {
            NDArray h = midBlock.forward(convIn.forward(Kernels.get().channelsLast(z)));
            for (int i = 0; i < levels.size(); i++) {
                for (ResnetBlock2D resnet : levels.get(i)) {
                    h = resnet.forward(h, null);
                }
                if (i < upsamplers.size()) {
                    h = upsamplers.get(i).forward(h);
                }
            }
            return Kernels.get().contiguous(convOut.forward(convNormOut.forwardSilu(h)));
        });
    }
}
