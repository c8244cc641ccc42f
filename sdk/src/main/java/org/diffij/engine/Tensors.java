package org.diffij.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import org.diffij.io.DType;
import org.diffij.io.HostTensor;
import org.diffij.io.TensorInfo;
import org.diffij.io.Weights;

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

    /** Engine arrays seen as {@link Weights}: each is copied to Java memory only when it is read. */
    public static Weights asWeights(Map<String, NDArray> arrays) {
        Map<String, NDArray> view = Collections.unmodifiableMap(arrays);
        return new Weights() {
            @Override
            public Set<String> names() {
                return view.keySet();
            }

            @Override
            public HostTensor read(String name) {
                NDArray array = view.get(name);
                if (array == null) {
                    throw new IllegalArgumentException("no tensor " + name);
                }
                return toHost(array);
            }
        };
    }

    /** What {@link #toHost} of {@code array} will be, without copying it: name, dtype and shape. */
    public static TensorInfo hostInfo(String name, NDArray array) {
        DType dtype = hostType(array.getDataType());
        long[] shape = array.getShape().getShape();
        return new TensorInfo(name, dtype, shape, 0, HostTensor.numel(shape) * dtype.byteSize());
    }

    /** Integers (and booleans) travel as int64, every float as float32. */
    private static DType hostType(DataType type) {
        return type.isInteger() || type == DataType.BOOLEAN ? DType.I64 : DType.F32;
    }

    /** The array as float32 (or int64 for integer arrays) in Java memory. */
    public static HostTensor toHost(NDArray array) {
        long[] shape = array.getShape().getShape();
        DataType type = array.getDataType();
        if (hostType(type) == DType.I64) {
            return HostTensor.ofLongs(array.toType(DataType.INT64, false).toLongArray(), shape);
        }
        NDArray f32 = type == DataType.FLOAT32 ? array : array.toType(DataType.FLOAT32, false);
        ByteBuffer bytes = ByteBuffer.wrap(f32.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        return new HostTensor(DType.F32, shape, bytes);
    }
}
