package org.diffij.models.controlnet;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.diffij.nn.Activations;
import org.diffij.nn.Conv2d;
import org.diffij.nn.Params;
import org.diffij.nn.Scope;

/**
 * Brings the conditioning image down to latent resolution: {@code conv_in}, then per step a 3×3
 * conv and a stride-2 3×3 conv ({@code blocks}), each followed by SiLU, and {@code conv_out} to the
 * UNet's first channel count.
 */
final class ControlNetConditioningEmbedding {

    private final Conv2d convIn;
    private final List<Conv2d> blocks = new ArrayList<>();
    private final Conv2d convOut;

    ControlNetConditioningEmbedding(Params p, int conditioningChannels, int[] channels, long embeddingChannels) {
        this.convIn = new Conv2d(p.at("conv_in"), conditioningChannels, channels[0], 3, 1, 1);
        for (int i = 0; i < channels.length - 1; i++) {
            blocks.add(new Conv2d(p.at("blocks", 2 * i), channels[i], channels[i], 3, 1, 1));
            blocks.add(new Conv2d(p.at("blocks", 2 * i + 1), channels[i], channels[i + 1], 3, 2, 1));
        }
        this.convOut = new Conv2d(p.at("conv_out"), channels[channels.length - 1], embeddingChannels, 3, 1, 1);
    }

    NDArray forward(NDArray conditioning) {
        return Scope.run(conditioning, c -> {
            NDArray h = Activations.silu(convIn.forward(c));
            for (Conv2d block : blocks) {
                h = Activations.silu(block.forward(h));
            }
            return convOut.forward(h);
        });
    }
}
