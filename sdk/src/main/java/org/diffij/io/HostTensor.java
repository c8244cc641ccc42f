package org.diffij.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor in Java memory: dtype, shape and little-endian bytes exactly as safetensors stores them.
 * Used where no native engine is needed (file I/O, tokenizer ids, schedulers, the parity harness).
 */
public final class HostTensor {

    /** float16's largest value: the bound {@link #valueProblem(double)} callers put on adapter values, all storable in float16. */
    public static final float FLOAT16_MAX = 65504f;

    private final DType dtype;
    private final long[] shape;
    private final ByteBuffer data;

    public HostTensor(DType dtype, long[] shape, ByteBuffer data) {
        long expected = numel(shape) * dtype.byteSize();
        if (data.remaining() != expected) {
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " and dtype " + dtype
                    + " needs " + expected + " bytes, got " + data.remaining());
        }
        this.dtype = dtype;
        this.shape = shape.clone();
        this.data = data.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    public static HostTensor ofFloats(float[] values, long... shape) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return new HostTensor(DType.F32, shape, buffer);
    }

    public static HostTensor ofLongs(long[] values, long... shape) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asLongBuffer().put(values);
        return new HostTensor(DType.I64, shape, buffer);
    }

    public static HostTensor scalar(float value) {
        return ofFloats(new float[] {value});
    }

    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public DType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public long numel() {
        return numel(shape);
    }

    /** A read-only little-endian view of the raw bytes. */
    public ByteBuffer bytes() {
        return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The values as float32; 16-bit floats are widened exactly, integers and float64 are cast. */
    public float[] toFloatArray() {
        int n = Math.toIntExact(numel());
        float[] out = new float[n];
        ByteBuffer b = bytes();
        switch (dtype) {
            case F32 -> b.asFloatBuffer().get(out);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = HalfFloats.f16ToFloat(b.getShort(2 * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = HalfFloats.bf16ToFloat(b.getShort(2 * i));
                }
            }
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) b.getDouble(8 * i);
                }
            }
            default -> {
                long[] ints = toLongArray();
                for (int i = 0; i < n; i++) {
                    out[i] = ints[i];
                }
            }
        }
        return out;
    }

    /**
     * The largest absolute value, NaN when any value is NaN (infinite when one is), read in place:
     * how adapter loaders check that a file holds usable numbers before any of them is used.
     */
    public double largestMagnitude() {
        long n = numel();
        ByteBuffer b = bytes();
        double largest = 0;
        for (int i = 0; i < n; i++) {
            double v = switch (dtype) {
                case F32 -> b.getFloat(4 * i);
                case F16 -> HalfFloats.f16ToFloat(b.getShort(2 * i));
                case BF16 -> HalfFloats.bf16ToFloat(b.getShort(2 * i));
                case F64 -> b.getDouble(8 * i);
                default -> 0;
            };
            if (Double.isNaN(v)) {
                return Double.NaN;
            }
            largest = Math.max(largest, Math.abs(v));
        }
        return largest;
    }

    /**
     * What makes this tensor unusable as adapter or embedding weights, in words, or null when it is
     * usable: a dtype that is not floating point, NaN, infinite values, or values beyond {@code limit}.
     */
    public String valueProblem(double limit) {
        if (!dtype.isFloating()) {
            return "has dtype " + dtype + "; these values must be floating point";
        }
        double largest = largestMagnitude();
        if (largest <= limit) {
            return null;
        }
        return "holds " + (Double.isNaN(largest) ? "NaN" : Double.isInfinite(largest) ? "infinite values"
                : "values up to " + (float) largest) + " (finite values of at most " + (float) limit
                + " are accepted): the file is damaged";
    }

    /** The values as float64 (exact for every float dtype). */
    public double[] toDoubleArray() {
        if (dtype == DType.F64) {
            double[] out = new double[Math.toIntExact(numel())];
            bytes().asDoubleBuffer().get(out);
            return out;
        }
        if (!dtype.isFloating()) {
            return Arrays.stream(toLongArray()).asDoubleStream().toArray();
        }
        float[] floats = toFloatArray();
        double[] out = new double[floats.length];
        for (int i = 0; i < floats.length; i++) {
            out[i] = floats[i];
        }
        return out;
    }

    /** The values as int64; only for integer and bool dtypes. */
    public long[] toLongArray() {
        int n = Math.toIntExact(numel());
        long[] out = new long[n];
        ByteBuffer b = bytes();
        switch (dtype) {
            case I64, U64 -> b.asLongBuffer().get(out);
            case I32 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.getInt(4 * i);
                }
            }
            case U32 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.getInt(4 * i) & 0xffffffffL;
                }
            }
            case I16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.getShort(2 * i);
                }
            }
            case U16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.getShort(2 * i) & 0xffff;
                }
            }
            case I8 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.get(i);
                }
            }
            case U8, BOOL -> {
                for (int i = 0; i < n; i++) {
                    out[i] = b.get(i) & 0xff;
                }
            }
            default -> throw new IllegalStateException("tensor of dtype " + dtype + " holds no integers");
        }
        return out;
    }

    @Override
    public String toString() {
        return dtype + Arrays.toString(shape);
    }
}
