package org.diffij.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Arithmetic with a number that stays correct while autograd records. DJL's {@code Number}
 * overloads ({@code mul(float)}, {@code div}, {@code maximum}, {@code minimum}, and
 * {@code Activation.swish} through them) wrap the number in an array over a Java direct buffer and
 * close it at once; libtorch's autograd keeps that tensor for the backward pass, which then reads
 * the buffer after the garbage collector may have freed it: garbage or NaN gradients, depending on
 * when the collector ran. Here the number lives in memory libtorch allocates and counts references
 * to, so closing our handle is safe. {@code add}/{@code sub} of a number save nothing and need no
 * twin.
 */
public final class ScalarOps {

    private ScalarOps() {
    }

    /** {@code x · value}. */
    public static NDArray mul(NDArray x, double value) {
        try (NDArray s = scalar(x, value)) {
            return x.mul(s);
        }
    }

    /** {@code x · value} in place. */
    public static NDArray muli(NDArray x, double value) {
        try (NDArray s = scalar(x, value)) {
            return x.muli(s);
        }
    }

    /** {@code x / value}. */
    public static NDArray div(NDArray x, double value) {
        try (NDArray s = scalar(x, value)) {
            return x.div(s);
        }
    }

    /** {@code max(x, value)} elementwise. */
    public static NDArray maximum(NDArray x, double value) {
        try (NDArray s = scalar(x, value)) {
            return x.maximum(s);
        }
    }

    /** {@code min(x, value)} elementwise. */
    public static NDArray minimum(NDArray x, double value) {
        try (NDArray s = scalar(x, value)) {
            return x.minimum(s);
        }
    }

    /** {@code x · sigmoid(beta · x)}: DJL's {@code Activation.swish} without its buffer-backed number. */
    public static NDArray swish(NDArray x, double beta) {
        return x.mul(mul(x, beta).getNDArrayInternal().sigmoid());
    }

    /**
     * A 0-d array of {@code value} in {@code like}'s type, in memory libtorch allocated: a converted
     * or cloned copy of DJL's buffer-backed number (float64 keeps every bit of {@code value}).
     */
    private static NDArray scalar(NDArray like, double value) {
        try (NDArray number = like.getManager().create(value)) {
            return like.getDataType() == DataType.FLOAT64 ? number.duplicate()
                    : number.toType(like.getDataType(), false);
        }
    }
}
