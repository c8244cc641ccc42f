package org.diffij.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.LayerNorm;
import java.util.Arrays;

/**
 * The kernels built from DJL ops only. Attention materialises the whole score matrix (a caller bounds
 * it with {@link AttentionSlicing}); group norm is a layer norm over each group's values followed by
 * the per-channel affine transform.
 */
final class ComposedKernels implements Kernels {

    @Override
    public boolean attentionMaterializesScores() {
        return true;
    }

    @Override
    public NDArray attention(NDArray query, NDArray key, NDArray value) {
        double scale = 1 / Math.sqrt(query.getShape().get(3));
        return ScalarOps.mul(query, scale).matMul(key.transpose(0, 1, 3, 2)).softmax(-1).matMul(value);
    }

    @Override
    public NDArray causalAttention(NDArray query, NDArray key, NDArray value) {
        double scale = 1 / Math.sqrt(query.getShape().get(3));
        int lq = (int) query.getShape().get(2);
        int lk = (int) key.getShape().get(2);
        float[] mask = new float[lq * lk];
        for (int i = 0; i < lq; i++) {
            for (int j = i + 1; j < lk; j++) {
                mask[i * lk + j] = Float.NEGATIVE_INFINITY;
            }
        }
        NDArray additive = query.getManager().create(mask, new Shape(lq, lk)).toType(query.getDataType(), false);
        return ScalarOps.mul(query, scale).matMul(key.transpose(0, 1, 3, 2)).add(additive).softmax(-1).matMul(value);
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
    public void adamw(NDArray parameter, NDArray gradient, NDArray expAvg, NDArray expAvgSq, long step, double lr,
            double beta1, double beta2, double weightDecay, double eps) {
        double biasCorrection1 = 1 - Math.pow(beta1, step);
        double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        try (NDManager scope = parameter.getManager().newSubManager()) {
            // Temporaries of the ops below belong to their first operand's manager: borrow them all here.
            parameter.tempAttach(scope);
            gradient.tempAttach(scope);
            expAvg.tempAttach(scope);
            expAvgSq.tempAttach(scope);
            // Scalars as torch 1.13's _single_tensor_adamw uses them (cast to float32), in its operation
            // order: add's alpha multiplies the gradient, addcmul is (value * g) * g, addcdiv is
            // (value * m) / denominator.
            parameter.muli((float) (1 - lr * weightDecay));
            expAvg.muli((float) beta1).addi(gradient.mul((float) (1 - beta1)));
            expAvgSq.muli((float) beta2).addi(gradient.mul((float) (1 - beta2)).muli(gradient));
            NDArray denominator = expAvgSq.sqrt().divi((float) biasCorrection2Sqrt).addi((float) eps);
            parameter.addi(expAvg.mul((float) (-lr / biasCorrection1)).divi(denominator));
        }
    }

    @Override
    public String name() {
        return "composed (DJL ops)";
    }
}
