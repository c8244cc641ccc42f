package org.diffij.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.diffij.io.HostTensor;

/**
 * Moves tensors between Java memory and the engine under the engine's dtype policy: floats of any
 * stored width become the compute dtype (16-bit floats are widened in Java because libtorch aborts
 * on BF16), integers become int64. Arrays are always copies, never views of a file mapping, so an
 * in-place op can never write into a read-only mapping.
 */
public final class Tensors {

    private Tensors() {
    }

    public static NDArray toNDArray(NDManager manager, HostTensor tensor, DataType computeType) {
        Shape shape = new Shape(tensor.shape());
        if (tensor.dtype().isFloating()) {
            NDArray array = manager.create(tensor.toFloatArray(), shape);
            return computeType == DataType.FLOAT32 ? array : array.toType(computeType, false);
        }
        return manager.create(tensor.toLongArray(), shape);
    }

    /** The array as float32 (or int64 for integer arrays) in Java memory. */
    public static HostTensor toHost(NDArray array) {
        long[] shape = array.getShape().getShape();
        DataType type = array.getDataType();
        if (type.isInteger() || type == DataType.BOOLEAN) {
            return HostTensor.ofLongs(array.toType(DataType.INT64, false).toLongArray(), shape);
        }
        NDArray f32 = type == DataType.FLOAT32 ? array : array.toType(DataType.FLOAT32, false);
        ByteBuffer bytes = ByteBuffer.wrap(f32.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        return new HostTensor(org.diffij.io.DType.F32, shape, bytes);
    }
}
