package org.diffij.nn;

import ai.djl.ndarray.NDArray;

/** LayerNorm → self-attention, LayerNorm → cross-attention on the text, LayerNorm → GEGLU feed-forward; each residual. */
public final class BasicTransformerBlock {

    private static final float EPS = 1e-5f;
    private static final int FF_MULT = 4;

    private final LayerNorm norm1;
    private final Attention attn1;
    private final LayerNorm norm2;
    private final Attention attn2;
    private final LayerNorm norm3;
    private final FeedForward ff;

    public BasicTransformerBlock(Params p, long dim, int heads, long dimHead, long crossAttentionDim) {
        this.norm1 = new LayerNorm(p.at("norm1"), dim, EPS);
        this.attn1 = Attention.ofTransformerBlock(p.at("attn1"), dim, dim, heads, dimHead);
        this.norm2 = new LayerNorm(p.at("norm2"), dim, EPS);
        this.attn2 = Attention.ofTransformerBlock(p.at("attn2"), dim, crossAttentionDim, heads, dimHead);
        this.norm3 = new LayerNorm(p.at("norm3"), dim, EPS);
        this.ff = new FeedForward(p.at("ff"), dim, dim * FF_MULT);
    }

    public NDArray forward(NDArray x, NDArray context) {
        return Scope.run(x, input -> {
            NDArray h = attn1.forward(norm1.forward(input), null).addi(input);
            h = attn2.forward(norm2.forward(h), context).addi(h);
            return ff.forward(norm3.forward(h)).addi(h);
        });
    }
}
