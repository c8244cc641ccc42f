package org.diffij.nn;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * Attention over the pixels of a feature map: GroupNorm, {@code proj_in} (1×1 conv, or linear after
 * flattening when {@code use_linear_projection}), a stack of {@link BasicTransformerBlock}s on the
 * {@code H·W} tokens, {@code proj_out}, plus the input.
 */
public final class Transformer2DModel {

    private static final float NORM_EPS = 1e-6f;

    private final GroupNorm norm;
    private final boolean linearProjection;
    private final Linear projInLinear;
    private final Conv2d projInConv;
    private final List<BasicTransformerBlock> blocks = new ArrayList<>();
    private final Linear projOutLinear;
    private final Conv2d projOutConv;

    public Transformer2DModel(Params p, int heads, long dimHead, long channels, int layers, long crossAttentionDim,
            int groups, boolean useLinearProjection) {
        long inner = heads * dimHead;
        this.norm = new GroupNorm(p.at("norm"), groups, channels, NORM_EPS);
        this.linearProjection = useLinearProjection;
        this.projInLinear = useLinearProjection ? new Linear(p.at("proj_in"), channels, inner, true) : null;
        this.projInConv = useLinearProjection ? null : new Conv2d(p.at("proj_in"), channels, inner, 1, 1, 0);
        for (int i = 0; i < layers; i++) {
            blocks.add(new BasicTransformerBlock(p.at("transformer_blocks", i), inner, heads, dimHead,
                    crossAttentionDim));
        }
        this.projOutLinear = useLinearProjection ? new Linear(p.at("proj_out"), inner, channels, true) : null;
        this.projOutConv = useLinearProjection ? null : new Conv2d(p.at("proj_out"), inner, channels, 1, 1, 0);
    }

    public NDArray forward(NDArray x, NDArray context) {
        return Scope.run(x, input -> {
            long[] s = input.getShape().getShape();
            long b = s[0];
            long h = s[2];
            long w = s[3];
            NDArray hidden = norm.forward(input);
            if (linearProjection) {
                hidden = projInLinear.forward(tokens(hidden));
            } else {
                hidden = tokens(projInConv.forward(hidden));
            }
            for (BasicTransformerBlock block : blocks) {
                hidden = block.forward(hidden, context);
            }
            NDArray out;
            if (linearProjection) {
                out = featureMap(projOutLinear.forward(hidden), b, h, w);
            } else {
                out = projOutConv.forward(featureMap(hidden, b, h, w));
            }
            return out.addi(input);
        });
    }

    /** (B, C, H, W) → (B, H·W, C). */
    private static NDArray tokens(NDArray map) {
        long[] s = map.getShape().getShape();
        return map.transpose(0, 2, 3, 1).reshape(s[0], s[2] * s[3], s[1]);
    }

    /** (B, H·W, C) → (B, C, H, W). */
    private static NDArray featureMap(NDArray tokens, long b, long h, long w) {
        long c = tokens.getShape().get(2);
        return tokens.reshape(b, h, w, c).transpose(0, 3, 1, 2);
    }
}
