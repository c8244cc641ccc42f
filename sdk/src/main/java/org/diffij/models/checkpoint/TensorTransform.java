package org.diffij.models.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.diffij.io.HostTensor;

/** How a stored LDM tensor becomes its diffusers counterpart, in Java memory. */
enum TensorTransform {
    /** Stored as diffusers stores it. */
    NONE,
    /** A 1×1 conv weight {@code [out, in, 1, 1]} used as a linear weight {@code [out, in]} (VAE attention). */
    CONV_TO_LINEAR,
    /** The first, second or third of a fused {@code in_proj} along axis 0 (OpenCLIP attention → q, k, v). */
    FIRST_THIRD,
    SECOND_THIRD,
    LAST_THIRD,
    /** A 2-D matrix transposed (OpenCLIP's {@code text_projection} is {@code x @ P}, diffusers' is linear). */
    TRANSPOSE;

    HostTensor apply(HostTensor t) {
        long[] s = t.shape();
        return switch (this) {
            case NONE -> t;
            case CONV_TO_LINEAR -> s.length == 4 ? new HostTensor(t.dtype(), new long[] {s[0], s[1]}, t.bytes()) : t;
            case FIRST_THIRD -> third(t, 0);
            case SECOND_THIRD -> third(t, 1);
            case LAST_THIRD -> third(t, 2);
            case TRANSPOSE -> transpose(t);
        };
    }

    /** The stored tensor (of shape {@code stored}) that {@link #apply} turns into {@code t}; not for the thirds. */
    HostTensor invert(HostTensor t, long[] stored) {
        return switch (this) {
            case NONE -> t;
            case CONV_TO_LINEAR -> new HostTensor(t.dtype(), stored, t.bytes());
            case TRANSPOSE -> transpose(t);
            case FIRST_THIRD, SECOND_THIRD, LAST_THIRD -> throw new IllegalStateException(
                    "a third is inverted together with the other two");
        };
    }

    /** Whether this is one third of a fused projection, stored together with the other two. */
    boolean isThird() {
        return this == FIRST_THIRD || this == SECOND_THIRD || this == LAST_THIRD;
    }

    /** The shape of the stored tensor that {@link #apply} turns into one of {@code shape}; not for the thirds. */
    long[] storedShape(long[] shape) {
        return switch (this) {
            case NONE -> shape;
            case CONV_TO_LINEAR -> new long[] {shape[0], shape[1], 1, 1};
            case TRANSPOSE -> new long[] {shape[1], shape[0]};
            case FIRST_THIRD, SECOND_THIRD, LAST_THIRD -> throw new IllegalStateException(
                    "a third is stored together with the other two");
        };
    }

    /** The fused {@code in_proj} tensor from its q, k and v thirds. */
    static HostTensor concatenateThirds(String name, HostTensor[] parts) {
        for (HostTensor part : parts) {
            if (part == null) {
                throw new org.diffij.DiffijException(name + ": a third of the fused projection has no value");
            }
        }
        long[] shape = parts[0].shape().clone();
        shape[0] *= 3;
        int bytes = Math.toIntExact(parts[0].numel() * parts[0].dtype().byteSize());
        ByteBuffer all = ByteBuffer.allocate(3 * bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (HostTensor part : parts) {
            all.put(part.bytes().duplicate());
        }
        return new HostTensor(parts[0].dtype(), shape, all.flip());
    }

    private static HostTensor third(HostTensor t, int index) {
        long[] s = t.shape();
        long[] part = s.clone();
        part[0] = s[0] / 3;
        int bytes = Math.toIntExact(HostTensor.numel(part) * t.dtype().byteSize());
        ByteBuffer all = t.bytes();
        all.position(index * bytes).limit((index + 1) * bytes);
        return new HostTensor(t.dtype(), part, all.slice());
    }

    private static HostTensor transpose(HostTensor t) {
        long[] s = t.shape();
        int rows = Math.toIntExact(s[0]);
        int cols = Math.toIntExact(s[1]);
        int size = t.dtype().byteSize();
        ByteBuffer in = t.bytes();
        ByteBuffer out = ByteBuffer.allocate(rows * cols * size).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                for (int b = 0; b < size; b++) {
                    out.put((c * rows + r) * size + b, in.get((r * cols + c) * size + b));
                }
            }
        }
        return new HostTensor(t.dtype(), new long[] {cols, rows}, out);
    }
}
