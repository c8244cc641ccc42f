package org.diffij.models.ipadapter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import org.diffij.DiffijException;

/**
 * diffusers' {@code ImageProjection} ({@code image_proj.*} of an IP-Adapter): image embeddings →
 * {@code proj} (Linear) → {@code tokens} vectors of the UNet's cross-attention width →
 * {@code norm} (LayerNorm).
 */
final class ImageProjection {

    private static final float NORM_EPS = 1e-5f;

    private final NDArray projWeight;
    private final NDArray projBias;
    private final NDArray normWeight;
    private final NDArray normBias;
    private final long tokens;
    private final long crossAttentionDim;

    /** {@code projWeight [tokens · crossAttentionDim, embedDim]}, {@code normWeight [crossAttentionDim]}. */
    ImageProjection(NDArray projWeight, NDArray projBias, NDArray normWeight, NDArray normBias, String source) {
        long[] w = projWeight.getShape().getShape();
        crossAttentionDim = normWeight.getShape().get(0);
        if (w.length != 2 || w[0] % crossAttentionDim != 0 || projBias.getShape().get(0) != w[0]
                || normBias.getShape().get(0) != crossAttentionDim) {
            throw new DiffijException(source + ": image_proj has inconsistent shapes (proj.weight "
                    + projWeight.getShape() + ", proj.bias " + projBias.getShape() + ", norm "
                    + normWeight.getShape() + "/" + normBias.getShape()
                    + "); the file is damaged or not an IP-Adapter");
        }
        this.projWeight = projWeight;
        this.projBias = projBias;
        this.normWeight = normWeight;
        this.normBias = normBias;
        this.tokens = w[0] / crossAttentionDim;
    }

    long embedDim() {
        return projWeight.getShape().get(1);
    }

    long crossAttentionDim() {
        return crossAttentionDim;
    }

    /** {@code imageEmbeds (batch, images, embedDim)} → {@code (batch, images, tokens, crossAttentionDim)}. */
    NDArray forward(NDArray imageEmbeds) {
        long[] s = imageEmbeds.getShape().getShape();
        NDArray projected = Linear.linear(imageEmbeds, projWeight, projBias).singletonOrThrow()
                .reshape(s[0], s[1], tokens, crossAttentionDim);
        return LayerNorm.layerNorm(projected, new Shape(crossAttentionDim), normWeight, normBias, NORM_EPS)
                .singletonOrThrow();
    }
}
