package org.diffij.io.pickle;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.diffij.io.DType;
import org.diffij.io.HostTensor;

/**
 * A tensor of a torch pickle: a strided view (offset, shape, strides in elements) of a storage,
 * validated when the pickle is read so that reading it later can only fail on I/O. Views that are not
 * contiguous (transposes, expanded dimensions) are made contiguous when read; big-endian files are
 * swapped to the little-endian bytes {@link HostTensor} holds.
 */
public final class TorchTensor {

    /** HostTensor keeps one Java buffer: a tensor beyond this cannot be held, and no real weight is. */
    static final long MAX_BYTES = Integer.MAX_VALUE - 8;

    private final TorchStorage storage;
    private final long offset;
    private final long[] shape;
    private final long[] stride;
    private final boolean bigEndian;

    TorchTensor(TorchStorage storage, long offset, long[] shape, long[] stride, boolean bigEndian) {
        if (shape.length != stride.length) {
            throw new PickleFormatException("a tensor has shape " + Arrays.toString(shape) + " but strides "
                    + Arrays.toString(stride));
        }
        long numel;
        long lastElement = offset;
        try {
            numel = HostTensor.numel(shape);
            for (int i = 0; i < shape.length; i++) {
                if (shape[i] < 0 || stride[i] < 0) {
                    throw new PickleFormatException("a tensor has a negative size or stride: shape "
                            + Arrays.toString(shape) + ", strides " + Arrays.toString(stride));
                }
                if (shape[i] > 0) {
                    lastElement = Math.addExact(lastElement, Math.multiplyExact(shape[i] - 1, stride[i]));
                }
            }
            if (Math.multiplyExact(numel, storage.dtype().byteSize()) > MAX_BYTES) {
                throw new PickleFormatException("a tensor of shape " + Arrays.toString(shape) + " would need "
                        + Math.multiplyExact(numel, storage.dtype().byteSize()) + " bytes, more than any weight "
                        + "(limit " + MAX_BYTES + ")");
            }
        } catch (ArithmeticException e) {
            throw new PickleFormatException("a tensor has an impossibly large shape " + Arrays.toString(shape));
        }
        if (offset < 0 || (numel > 0 && lastElement >= storage.numel())) {
            throw new PickleFormatException("a tensor of shape " + Arrays.toString(shape) + " at offset " + offset
                    + " with strides " + Arrays.toString(stride) + " reaches past its storage of "
                    + storage.numel() + " elements");
        }
        this.storage = storage;
        this.offset = offset;
        this.shape = shape.clone();
        this.stride = stride.clone();
        this.bigEndian = bigEndian;
    }

    public DType dtype() {
        return storage.dtype();
    }

    public long[] shape() {
        return shape.clone();
    }

    public long numel() {
        return HostTensor.numel(shape);
    }

    public TorchStorage storage() {
        return storage;
    }

    /** The tensor's values, contiguous and little-endian. */
    public HostTensor read() {
        int size = dtype().byteSize();
        long numel = numel();
        if (numel == 0) {
            return new HostTensor(dtype(), shape, ByteBuffer.allocate(0));
        }
        long span = 1;
        for (int i = 0; i < shape.length; i++) {
            span += (shape[i] - 1) * stride[i];
        }
        ByteBuffer stored = storage.read(offset * size, Math.toIntExact(span * size)).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = isContiguous() ? stored : gather(stored, size, numel);
        if (bigEndian) {
            swap(out, size);
        }
        return new HostTensor(dtype(), shape, out);
    }

    private boolean isContiguous() {
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    /** Walks the view in row-major order, copying one element at a time. */
    private ByteBuffer gather(ByteBuffer stored, int size, long numel) {
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(numel * size)).order(ByteOrder.LITTLE_ENDIAN);
        long[] index = new long[shape.length];
        long position = 0;
        byte[] element = new byte[size];
        for (long n = 0; n < numel; n++) {
            stored.get(Math.toIntExact(position * size), element);
            out.put(element);
            for (int axis = shape.length - 1; axis >= 0; axis--) {
                index[axis]++;
                position += stride[axis];
                if (index[axis] < shape[axis]) {
                    break;
                }
                position -= index[axis] * stride[axis];
                index[axis] = 0;
            }
        }
        return out.flip();
    }

    private static void swap(ByteBuffer bytes, int size) {
        for (int at = 0; at + size <= bytes.limit(); at += size) {
            for (int i = 0; i < size / 2; i++) {
                byte a = bytes.get(at + i);
                bytes.put(at + i, bytes.get(at + size - 1 - i));
                bytes.put(at + size - 1 - i, a);
            }
        }
    }

    @Override
    public String toString() {
        return dtype() + Arrays.toString(shape);
    }
}
