package org.diffij.models.hypernetwork;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.UnaryOperator;
import org.diffij.DiffijException;
import org.diffij.nn.Activations;
import org.diffij.nn.ScalarOps;

/**
 * The activations an A1111 hypernetwork names in {@code activation_func}: A1111's own table
 * ({@code linear} is none, {@code swish} is torch's Hardswish) and torch's element-wise activation
 * modules under their lower-cased class names, each with torch's default arguments, as A1111 makes
 * them: {@code prelu} is torch's PReLU with one learnt slope (state-dict key {@code linear.<n>.weight},
 * 0.25 initially, trained with the rest), {@code rrelu} torch's RReLU (slopes drawn from U(1/8, 1/3)
 * per element while training, their mean 11/48 otherwise). The ones that change the shape or need
 * arguments A1111 cannot give (GLU, Softmax and relatives, Threshold, MultiheadAttention) are refused.
 */
public enum HypernetworkActivation {
    LINEAR(x -> x),
    RELU(ai.djl.nn.Activation::relu),
    LEAKYRELU(x -> ai.djl.nn.Activation.leakyRelu(x, 0.01f)),
    ELU(HypernetworkActivation::elu),
    /** A1111's "swish" is torch's Hardswish, not SiLU. */
    SWISH(HypernetworkActivation::hardswish),
    TANH(NDArray::tanh),
    SIGMOID(ai.djl.nn.Activation::sigmoid),
    CELU(HypernetworkActivation::elu),
    GELU(Activations::gelu),
    HARDSHRINK(x -> x.mul(x.abs().gt(0.5f).toType(x.getDataType(), false))),
    HARDSIGMOID(x -> ScalarOps.div(x.add(3f).clip(0f, 6f), 6)),
    HARDSWISH(HypernetworkActivation::hardswish),
    HARDTANH(x -> x.clip(-1f, 1f)),
    LOGSIGMOID(x -> softplus(x.neg()).neg()),
    MISH(x -> x.mul(softplus(x).tanh())),
    RELU6(x -> x.clip(0f, 6f)),
    SELU(x -> ScalarOps.mul(elu(x, 1.6732632423543772f), 1.0507009873554805f)),
    SILU(x -> ScalarOps.swish(x, 1)),
    SOFTPLUS(HypernetworkActivation::softplus),
    SOFTSHRINK(x -> x.sign().mul(ScalarOps.maximum(x.abs().sub(0.5f), 0))),
    SOFTSIGN(x -> x.div(x.abs().add(1f))),
    TANHSHRINK(x -> x.sub(x.tanh())),
    PRELU((x, slope, training) -> ScalarOps.maximum(x, 0).add(ScalarOps.minimum(x, 0).mul(slope))),
    RRELU(HypernetworkActivation::rrelu);

    /** torch's RReLU bounds for the negative slope. */
    private static final float RRELU_LOWER = 1f / 8;
    private static final float RRELU_UPPER = 1f / 3;

    /** An activation of the input, given its learnt slope (PReLU's, else null) and whether it trains. */
    private interface Function {
        NDArray apply(NDArray x, NDArray slope, boolean training);
    }

    private final Function function;

    HypernetworkActivation(UnaryOperator<NDArray> function) {
        this((x, slope, training) -> function.apply(x));
    }

    HypernetworkActivation(Function function) {
        this.function = function;
    }

    /** Whether the activation has a learnt parameter (PReLU's slope, one value). */
    public boolean hasSlope() {
        return this == PRELU;
    }

    /** The activation as in eval mode; for one with a learnt slope see {@link #apply(NDArray, NDArray, boolean)}. */
    public NDArray apply(NDArray x) {
        return apply(x, null, false);
    }

    /** The activation with its learnt {@code slope} (null where it has none), in train mode when {@code training}. */
    public NDArray apply(NDArray x, NDArray slope, boolean training) {
        if (hasSlope() && slope == null) {
            throw new IllegalArgumentException(key() + " needs its learnt slope");
        }
        return function.apply(x, slope, training);
    }

    /** The name A1111 writes in {@code activation_func}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The activation of an {@code activation_func} value; null (older files) is none. */
    public static HypernetworkActivation of(String name) {
        if (name == null) {
            return LINEAR;
        }
        for (HypernetworkActivation a : values()) {
            if (a.key().equals(name.trim().toLowerCase(Locale.ROOT))) {
                return a;
            }
        }
        throw new DiffijException("hypernetwork activation '" + name + "' is not supported; use one of "
                + String.join(", ", Arrays.stream(values()).map(HypernetworkActivation::key).toList()));
    }

    /**
     * torch's RReLU: negative inputs scaled by a slope drawn per element from U(1/8, 1/3) while
     * training (from the engine's generator), by the mean slope 11/48 otherwise.
     */
    private static NDArray rrelu(NDArray x, NDArray unused, boolean training) {
        if (!training) {
            return ai.djl.nn.Activation.leakyRelu(x, (RRELU_LOWER + RRELU_UPPER) / 2);
        }
        NDArray slopes = x.getManager().randomUniform(RRELU_LOWER, RRELU_UPPER, x.getShape(), x.getDataType());
        // 1 where x >= 0, the drawn slope elsewhere: a constant factor for autograd, as in torch.
        return x.mul(NDArrays.where(x.gte(0f), x.onesLike(), slopes));
    }

    private static NDArray elu(NDArray x) {
        return elu(x, 1f);
    }

    /** {@code max(0, x) + min(0, alpha (e^x - 1))}; torch's CELU with alpha 1 is the same function. */
    private static NDArray elu(NDArray x, float alpha) {
        return ScalarOps.maximum(x, 0).add(ScalarOps.mul(ScalarOps.minimum(x, 0).exp().sub(1f), alpha));
    }

    private static NDArray hardswish(NDArray x) {
        return ScalarOps.div(x.mul(x.add(3f).clip(0f, 6f)), 6);
    }

    /**
     * {@code log(1 + e^x)} in the overflow-free form {@code max(x, 0) + log(1 + e^-|x|)} (DJL has no
     * log1p; the difference to torch's {@code log1p(exp(x))} is below 3e-9 absolute).
     */
    private static NDArray softplus(NDArray x) {
        return ScalarOps.maximum(x, 0).add(x.abs().neg().exp().add(1f).log());
    }
}
