package org.diffij.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import org.diffij.DiffijException;
import org.diffij.engine.Tensors;
import org.diffij.io.HostTensor;
import org.diffij.io.Weights;

/**
 * Reads a CLIP tower's weights by their transformers names, checks each shape against the config
 * and widens it to the compute dtype in the given manager (a model-cache scope, typically).
 */
public final class ClipWeights {

    private final Weights weights;
    private final NDManager manager;
    private final DataType dtype;
    private final String what;
    private long bytes;

    /** @param what the tower in messages, e.g. {@code text encoder} or {@code image encoder} */
    public ClipWeights(Weights weights, NDManager manager, DataType dtype, String what) {
        this.weights = weights;
        this.manager = manager;
        this.dtype = dtype;
        this.what = what;
    }

    public NDArray read(String name, long... shape) {
        if (!weights.contains(name)) {
            throw new DiffijException("the " + what + " weights lack '" + name + "'; they are not a transformers CLIP "
                    + what + " for this config");
        }
        HostTensor tensor = weights.read(name);
        if (!Arrays.equals(tensor.shape(), shape)) {
            throw new DiffijException(what + " weight '" + name + "' has shape " + Arrays.toString(tensor.shape())
                    + " but the config needs " + Arrays.toString(shape));
        }
        NDArray array = Tensors.toNDArray(manager, tensor, dtype);
        bytes += array.size() * dtype.getNumOfBytes();
        return array;
    }

    /** Native bytes of everything read so far. */
    public long bytes() {
        return bytes;
    }
}
