package org.diffij.io.pickle;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.diffij.io.AtomicFiles;
import org.diffij.io.DType;
import org.diffij.io.HostTensor;

/**
 * Writes what {@code torch.save} writes, so that PyTorch, A1111 and ComfyUI load it: a zip of stored
 * entries {@code archive/data.pkl} (pickle protocol 2), {@code archive/byteorder},
 * {@code archive/data/<n>} per tensor and {@code archive/version}. Tensors are
 * {@code torch._utils._rebuild_tensor_v2} of a storage persistent id; the same {@link HostTensor}
 * object given twice is one shared storage. Values: {@code Map} (dict, insertion order, str / int /
 * bool / None / float keys), {@code List} (list), {@link PickleTuple} (tuple), {@code String},
 * {@code Integer}/{@code Long}/{@code BigInteger} (int), {@code Float}/{@code Double} (float),
 * {@code Boolean}, {@code null} (None) and {@link HostTensor}.
 */
public final class TorchPickleWriter {

    private static final String ARCHIVE = "archive/";
    private static final int BATCH = 1000;
    private static final Map<DType, String> STORAGE_NAMES = Map.of(DType.F64, "DoubleStorage", DType.F32,
            "FloatStorage", DType.F16, "HalfStorage", DType.BF16, "BFloat16Storage", DType.I64, "LongStorage",
            DType.I32, "IntStorage", DType.I16, "ShortStorage", DType.I8, "CharStorage", DType.U8, "ByteStorage",
            DType.BOOL, "BoolStorage");

    private final ByteArrayOutputStream pickle = new ByteArrayOutputStream();
    private final Map<HostTensor, String> storageKeys = new IdentityHashMap<>();
    private final List<HostTensor> storages = new ArrayList<>();

    private TorchPickleWriter() {
    }

    /** Writes {@code value} to {@code target} (through a temporary file, renamed when complete). */
    public static void write(Path target, Object value) {
        TorchPickleWriter writer = new TorchPickleWriter();
        writer.pickle.write(0x80);
        writer.pickle.write(2);
        writer.value(value, 0);
        writer.pickle.write('.');
        try {
            AtomicFiles.write(target, writer::writeArchive);
        } catch (IOException e) {
            throw new TorchPickleException(target, "cannot be written: " + e.getMessage(), e);
        }
    }

    /**
     * A value without tensors as Python's {@code json.dumps} writes it: what reading the written pickle
     * records for it as metadata, and so what its flattened safetensors twin carries.
     */
    public static String json(Object value) {
        return PickleTree.toJson(value);
    }

    private void writeArchive(Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            stored(zip, ARCHIVE + "data.pkl", ByteBuffer.wrap(pickle.toByteArray()));
            stored(zip, ARCHIVE + "byteorder", ByteBuffer.wrap("little".getBytes(StandardCharsets.US_ASCII)));
            for (HostTensor tensor : storages) {
                stored(zip, ARCHIVE + "data/" + storageKeys.get(tensor), tensor.bytes());
            }
            stored(zip, ARCHIVE + "version", ByteBuffer.wrap("3\n".getBytes(StandardCharsets.US_ASCII)));
        }
    }

    private static void stored(ZipOutputStream zip, String name, ByteBuffer bytes) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(bytes.remaining());
        CRC32 crc = new CRC32();
        crc.update(bytes.duplicate());
        entry.setCrc(crc.getValue());
        entry.setTime(315532800000L); // 1980-01-01, the zip epoch: the same bytes for the same content
        zip.putNextEntry(entry);
        byte[] chunk = new byte[1 << 16];
        ByteBuffer data = bytes.duplicate();
        while (data.hasRemaining()) {
            int n = Math.min(chunk.length, data.remaining());
            data.get(chunk, 0, n);
            zip.write(chunk, 0, n);
        }
        zip.closeEntry();
    }

    private void value(Object value, int depth) {
        if (depth > PickleTree.MAX_DEPTH) {
            throw new IllegalArgumentException("values nest more than " + PickleTree.MAX_DEPTH + " levels deep");
        }
        if (value == null) {
            op('N');
        } else if (value instanceof Boolean b) {
            op(b ? 0x88 : 0x89);
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            integer(((Number) value).longValue());
        } else if (value instanceof BigInteger big) {
            long1(big);
        } else if (value instanceof Double || value instanceof Float) {
            op('G');
            pickle.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN)
                    .putDouble(((Number) value).doubleValue()).array());
        } else if (value instanceof String s) {
            string(s);
        } else if (value instanceof HostTensor tensor) {
            tensor(tensor);
        } else if (value instanceof PickleTuple tuple) {
            tuple(tuple.items(), depth);
        } else if (value instanceof List<?> list) {
            op(']');
            for (int start = 0; start < list.size(); start += BATCH) {
                op('(');
                for (Object item : list.subList(start, Math.min(list.size(), start + BATCH))) {
                    value(item, depth + 1);
                }
                op('e');
            }
        } else if (value instanceof Map<?, ?> map) {
            op('}');
            List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
            for (int start = 0; start < entries.size(); start += BATCH) {
                op('(');
                for (Map.Entry<?, ?> entry : entries.subList(start, Math.min(entries.size(), start + BATCH))) {
                    Object key = entry.getKey();
                    if (!(key == null || key instanceof String || key instanceof Number || key instanceof Boolean)) {
                        throw new IllegalArgumentException("a dict key must be a string, number, bool or None, not "
                                + key.getClass().getSimpleName());
                    }
                    value(key, depth + 1);
                    value(entry.getValue(), depth + 1);
                }
                op('u');
            }
        } else {
            throw new IllegalArgumentException("cannot pickle a " + value.getClass().getSimpleName());
        }
    }

    private void tuple(List<?> items, int depth) {
        if (items.isEmpty()) {
            op(')');
            return;
        }
        if (items.size() > 3) {
            op('(');
        }
        for (Object item : items) {
            value(item, depth + 1);
        }
        op(items.size() > 3 ? 't' : 0x84 + items.size());
    }

    /** {@code _rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict())}, as torch writes it. */
    private void tensor(HostTensor tensor) {
        String storageName = STORAGE_NAMES.get(tensor.dtype());
        if (storageName == null) {
            throw new IllegalArgumentException("torch has no storage type for " + tensor.dtype());
        }
        String key = storageKeys.get(tensor);
        if (key == null) {
            key = Integer.toString(storages.size());
            storageKeys.put(tensor, key);
            storages.add(tensor);
        }
        global("torch._utils", "_rebuild_tensor_v2");
        op('(');
        op('(');
        string("storage");
        global("torch", storageName);
        string(key);
        string("cpu");
        integer(tensor.numel());
        op('t');
        op('Q');
        integer(0);
        long[] shape = tensor.shape();
        long[] stride = new long[shape.length];
        long step = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            stride[i] = step;
            step *= shape[i];
        }
        tuple(boxed(shape), 1);
        tuple(boxed(stride), 1);
        op(0x89);
        global("collections", "OrderedDict");
        op(')');
        op('R');
        op('t');
        op('R');
    }

    private static List<Long> boxed(long[] values) {
        List<Long> out = new ArrayList<>();
        for (long v : values) {
            out.add(v);
        }
        return out;
    }

    private void global(String module, String name) {
        op('c');
        pickle.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    private void string(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        op('X');
        pickle.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(utf8.length).array());
        pickle.writeBytes(utf8);
    }

    private void integer(long v) {
        if (v >= 0 && v < 256) {
            op('K');
            pickle.write((int) v);
        } else if (v >= 0 && v < 65536) {
            op('M');
            pickle.write((int) (v & 0xff));
            pickle.write((int) (v >>> 8));
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            op('J');
            pickle.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
        } else {
            long1(BigInteger.valueOf(v));
        }
    }

    /** LONG1: little-endian two's complement in as few bytes as hold the sign. */
    private void long1(BigInteger v) {
        byte[] big = v.toByteArray();
        if (big.length > 255) {
            throw new IllegalArgumentException("integer too large to pickle: " + v);
        }
        op(0x8a);
        pickle.write(big.length);
        for (int i = big.length - 1; i >= 0; i--) {
            pickle.write(big[i]);
        }
    }

    private void op(int code) {
        pickle.write(code);
    }
}
