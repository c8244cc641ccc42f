package org.diffij.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.LayerNorm;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The kernels built from DJL ops only. Attention is computed in slices of query rows so that the
 * score matrix never exceeds a budget ({@link #SCORE_BUDGET_BYTES} by default); group norm is a layer norm over each
 * group's values followed by the per-channel affine transform.
 */
final class ComposedKernels implements Kernels {

    /** Largest attention score tensor one slice may create (a full 4096² SD1.5 one is 1 GiB). */
    static final long SCORE_BUDGET_BYTES = 128L << 20;

    private final long scoreBudgetBytes;

    ComposedKernels() {
        this(SCORE_BUDGET_BYTES);
    }

    ComposedKernels(long scoreBudgetBytes) {
        this.scoreBudgetBytes = scoreBudgetBytes;
    }

    @Override
    public NDArray attention(NDArray query, NDArray key, NDArray value) {
        Shape q = query.getShape();
        long rows = q.get(2);
        long perRow = q.get(0) * q.get(1) * key.getShape().get(2) * Float.BYTES;
        long slice = Math.max(1, Math.min(rows, scoreBudgetBytes / perRow));
        float scale = (float) (1 / Math.sqrt(q.get(3)));
        NDArray keyT = key.transpose(0, 1, 3, 2);
        if (slice == rows) {
            return attentionRows(query, keyT, value, scale);
        }
        List<NDArray> parts = new ArrayList<>();
        for (long start = 0; start < rows; start += slice) {
            long end = Math.min(rows, start + slice);
            NDArray rowsOfQuery = query.get(":, :, " + start + ":" + end + ", :");
            parts.add(attentionRows(rowsOfQuery, keyT, value, scale));
        }
        return NDArrays.concat(new NDList(parts), 2);
    }

    private static NDArray attentionRows(NDArray query, NDArray keyT, NDArray value, float scale) {
        return query.mul(scale).matMul(keyT).softmax(-1).matMul(value);
    }

    @Override
    public NDArray groupNorm(NDArray x, int groups, NDArray weight, NDArray bias, float eps) {
        Shape shape = x.getShape();
        long n = shape.get(0);
        long channels = shape.get(1);
        NDArray grouped = x.reshape(n, groups, -1);
        long perGroup = grouped.getShape().get(2);
        NDArray ones = x.getManager().ones(new Shape(perGroup), x.getDataType());
        NDArray zeros = x.getManager().zeros(new Shape(perGroup), x.getDataType());
        NDArray normalized = LayerNorm.layerNorm(grouped, new Shape(perGroup), ones, zeros, eps).head().reshape(shape);
        long[] affine = new long[shape.dimension()];
        Arrays.fill(affine, 1);
        affine[1] = channels;
        return normalized.mul(weight.reshape(affine)).add(bias.reshape(affine));
    }

    @Override
    public NDArray groupNormSilu(NDArray x, int groups, NDArray weight, NDArray bias, float eps) {
        return silu(groupNorm(x, groups, weight, bias, eps));
    }

    @Override
    public NDArray silu(NDArray x) {
        return Activation.swish(x, 1f);
    }

    @Override
    public NDArray geglu(NDArray x) {
        NDList halves = x.split(2, x.getShape().dimension() - 1);
        return halves.get(0).mul(Activation.gelu(halves.get(1)));
    }

    @Override
    public NDArray channelsLast(NDArray x) {
        return x;
    }

    @Override
    public NDArray contiguous(NDArray x) {
        return x;
    }

    @Override
    public String name() {
        return "composed (DJL ops)";
    }
}
