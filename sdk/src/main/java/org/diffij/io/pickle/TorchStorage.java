package org.diffij.io.pickle;

import java.nio.ByteBuffer;
import org.diffij.io.DType;

/**
 * One storage a torch pickle refers to by persistent id: the flat array that tensors are views of.
 * Its bytes stay in the file until a tensor is read.
 */
public final class TorchStorage {

    /** Reads {@code length} bytes at {@code offset} of a storage's data into a new buffer the caller owns. */
    interface Source {
        ByteBuffer read(long offset, int length);
    }

    private final String key;
    private final DType dtype;
    private final long numel;
    private final Source source;

    TorchStorage(String key, DType dtype, long numel, Source source) {
        this.key = key;
        this.dtype = dtype;
        this.numel = numel;
        this.source = source;
    }

    public String key() {
        return key;
    }

    public DType dtype() {
        return dtype;
    }

    public long numel() {
        return numel;
    }

    ByteBuffer read(long byteOffset, int length) {
        return source.read(byteOffset, length);
    }
}
