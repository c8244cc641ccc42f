package org.diffij.io.pickle;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.diffij.DiffijException;
import org.diffij.io.HostTensor;
import org.diffij.io.InputFiles;
import org.diffij.io.TensorInfo;
import org.diffij.io.WeightFile;

/**
 * A file written by {@code torch.save} ({@code .pt}, {@code .ckpt}, {@code .bin}, {@code .pth}), read
 * without running any of it: the zip layout of torch 1.6+ ({@code <name>/data.pkl}, one entry
 * {@code <name>/data/<key>} per storage, {@code <name>/byteorder}) and the legacy layout before it
 * (five pickles in a row, then the storages). The pickle is interpreted by {@link Unpickler}, whose
 * only globals are those of {@link TorchGlobals}; tensors are named as {@link PickleTree} flattens
 * them and read lazily from their storage entries.
 *
 * <p><b>Why a small unpickler of our own and not a library.</b> The maintained Java unpickler
 * ({@code net.razorvine:pickle}, as used by PySpark) builds any global through a JVM-wide static
 * registry with a permissive fallback, allocates every length prefix before reading it (a 4-byte
 * length of 2 GB is an OutOfMemoryError), hashes dict keys that may be self-containing lists (a
 * StackOverflowError), parses text integers of any length, and runs BUILD by reflection on whatever
 * object is on the stack. Holding it behind an allow-list would mean intercepting GLOBAL,
 * STACK_GLOBAL, INST, OBJ, BUILD, REDUCE, the memo and every length-prefixed opcode — most of the
 * opcodes torch writes — in the package-private internals of a library we do not control. The
 * subset torch files use is small (about fifty opcodes), so it is implemented here with every
 * quantity bounded by the bytes actually present.
 *
 * <p>Hostile archives are bounded as well: entries are never extracted (a path like
 * {@code ../x} is refused all the same, being no torch layout), the pickle entry is capped at
 * {@link #MAX_PICKLE_BYTES}, storage entries are read only up to the size the pickle declares for
 * them (a compressed entry cannot inflate beyond it), and every tensor view is checked against its
 * storage when the file is opened.
 */
public final class TorchPickleFile implements WeightFile {

    /** data.pkl of an SDXL checkpoint with optimizer state is a few MB. */
    public static final int MAX_PICKLE_BYTES = 64 * 1024 * 1024;

    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};
    /** torch's legacy format starts with a pickled magic number: PROTO 2, LONG1 of 10 bytes. */
    private static final byte[] LEGACY_MAGIC = {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46,
        (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19};
    private static final BigInteger LEGACY_MAGIC_NUMBER = new BigInteger("1950a86a20f9469cfc6c", 16);
    private static final long LEGACY_PROTOCOL = 1001;
    private static final Pattern STORAGE_KEY = Pattern.compile("[A-Za-z0-9_]{1,64}");

    private final Path path;
    private final String format;
    private final AutoCloseable resource;
    private final Object root;
    private final Map<String, TorchTensor> tensors;
    private final Map<String, String> metadata;

    private TorchPickleFile(Path path, String format, AutoCloseable resource, Object root) {
        this.path = path;
        this.format = format;
        this.resource = resource;
        this.root = root;
        PickleTree.Flat flat = PickleTree.flatten(root);
        this.tensors = Collections.unmodifiableMap(flat.tensors());
        this.metadata = Collections.unmodifiableMap(flat.metadata());
    }

    /** True when a file's first bytes are those of a torch zip or legacy pickle. */
    public static boolean recognises(byte[] head) {
        return startsWith(head, ZIP_MAGIC) || startsWith(head, LEGACY_MAGIC);
    }

    public static TorchPickleFile open(Path path) {
        InputFiles.requireFile(path);
        byte[] head = new byte[LEGACY_MAGIC.length];
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new DiffijException(InputFiles.describe(path, e), e);
        }
        try {
            ByteBuffer buffer = ByteBuffer.wrap(head);
            while (buffer.hasRemaining() && channel.read(buffer) > 0) {
                // Reads the first bytes, fewer when the file is shorter.
            }
            if (startsWith(head, ZIP_MAGIC)) {
                channel.close();
                return openZip(path);
            }
            if (startsWith(head, LEGACY_MAGIC)) {
                return openLegacy(path, channel);
            }
            throw new TorchPickleException(path, "is not a torch pickle (neither a torch zip nor the legacy format)");
        } catch (IOException e) {
            closeQuietly(channel);
            throw new TorchPickleException(path, "read failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static TorchPickleFile openZip(Path path) {
        ZipFile zip;
        try {
            zip = new ZipFile(path.toFile());
        } catch (ZipException e) {
            throw new TorchPickleException(path, "is not a readable zip archive (" + e.getMessage()
                    + "): the file is truncated or corrupt", e);
        } catch (IOException e) {
            throw new TorchPickleException(path, "cannot be opened: " + e.getMessage(), e);
        }
        try {
            String prefix = archivePrefix(path, zip);
            ZipEntry pickle = zip.getEntry(prefix + "data.pkl");
            boolean bigEndian = bigEndian(path, zip, prefix);
            ByteBuffer bytes = ByteBuffer.wrap(readEntry(path, zip, pickle, 0, MAX_PICKLE_BYTES, true));
            Map<String, TorchStorage> storages = new HashMap<>();
            Unpickler.Resolver resolver = new Unpickler.Resolver() {
                @Override
                public Object global(String module, String name) {
                    return TorchGlobals.resolve(module, name, bigEndian);
                }

                @Override
                public Object persistentLoad(Object pid) {
                    StoragePid id = StoragePid.of(pid, 5);
                    return id.check(storages.computeIfAbsent(id.key, key -> zipStorage(path, zip, prefix, id)));
                }
            };
            Object root = unpickle(path, bytes, resolver);
            if (bytes.hasRemaining()) {
                throw new TorchPickleException(path, "data.pkl has " + bytes.remaining() + " bytes after its end");
            }
            return new TorchPickleFile(path, "torch zip pickle", zip, root);
        } catch (PickleFormatException e) {
            closeQuietly(zip);
            throw new TorchPickleException(path, e.getMessage());
        } catch (IllegalArgumentException e) {
            closeQuietly(zip);
            throw new TorchPickleException(path, "has a corrupt zip directory (" + e.getMessage() + ")", e);
        } catch (RuntimeException e) {
            closeQuietly(zip);
            throw e;
        }
    }

    /** The one top folder every entry is under ({@code archive/} for what torch.save writes). */
    private static String archivePrefix(Path path, ZipFile zip) {
        List<String> prefixes = new ArrayList<>();
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
            String name = entries.nextElement().getName();
            if (name.startsWith("/") || name.contains("\\") || name.contains(":") || name.equals("..")
                    || name.startsWith("../") || name.contains("/../") || name.endsWith("/..")) {
                throw new TorchPickleException(path, "has a zip entry named '" + name + "' that points outside the "
                        + "archive; no torch file does that");
            }
            int slash = name.indexOf('/');
            if (slash > 0 && name.substring(slash + 1).equals("data.pkl")) {
                prefixes.add(name.substring(0, slash + 1));
            }
        }
        if (prefixes.isEmpty()) {
            throw new TorchPickleException(path, "is a zip archive but not a torch pickle (it has no <name>/data.pkl)");
        }
        if (prefixes.size() > 1) {
            throw new TorchPickleException(path, "holds " + prefixes.size() + " pickles (" + prefixes
                    + "); a torch file holds one");
        }
        return prefixes.get(0);
    }

    private static boolean bigEndian(Path path, ZipFile zip, String prefix) {
        ZipEntry entry = zip.getEntry(prefix + "byteorder");
        if (entry == null) {
            return false;
        }
        String order = new String(readEntry(path, zip, entry, 0, 16, true), StandardCharsets.US_ASCII).trim();
        return switch (order) {
            case "little" -> false;
            case "big" -> true;
            default -> throw new TorchPickleException(path, "byteorder says '" + order + "', not little or big");
        };
    }

    private static TorchStorage zipStorage(Path path, ZipFile zip, String prefix, StoragePid id) {
        ZipEntry entry = zip.getEntry(prefix + "data/" + id.key);
        if (entry == null) {
            throw new TorchPickleException(path, "the pickle refers to storage '" + id.key
                    + "' but the archive has no entry " + prefix + "data/" + id.key + " (the file is incomplete)");
        }
        long bytes = id.byteLength(path);
        if (entry.getSize() != bytes) {
            throw new TorchPickleException(path, "storage '" + id.key + "' holds " + entry.getSize() + " bytes "
                    + "but the pickle declares " + id.numel + " " + id.type.dtype() + " elements (" + bytes + " bytes)");
        }
        return new TorchStorage(id.key, id.type.dtype(), id.numel,
                (offset, length) -> ByteBuffer.wrap(readEntry(path, zip, entry, offset, length, false)));
    }

    /**
     * Reads {@code length} bytes at {@code offset} of an entry, never inflating more than that; with
     * {@code upTo} a shorter entry is fine (its whole content is returned), otherwise it is truncated.
     */
    private static byte[] readEntry(Path path, ZipFile zip, ZipEntry entry, long offset, int length, boolean upTo) {
        if (upTo && entry.getSize() > length) {
            throw new TorchPickleException(path, entry.getName() + " is " + entry.getSize() + " bytes, more than "
                    + "the " + length + " Diffij reads from it");
        }
        try (InputStream in = zip.getInputStream(entry)) {
            in.skipNBytes(offset);
            byte[] bytes = in.readNBytes(length);
            if (!upTo && bytes.length < length) {
                throw new TorchPickleException(path, entry.getName() + " ends early: the file is truncated");
            }
            return bytes;
        } catch (IllegalArgumentException e) {
            throw new TorchPickleException(path, entry.getName() + " cannot be read (" + e.getMessage()
                    + "): the file is corrupt", e);
        } catch (java.io.EOFException e) {
            throw new TorchPickleException(path, entry.getName() + " ends early: the file is truncated", e);
        } catch (IOException e) {
            throw new TorchPickleException(path, entry.getName() + " cannot be read (" + e.getMessage()
                    + "): the file is corrupt", e);
        }
    }

    /**
     * The legacy format: pickles of the magic number, the protocol version and the system info, then
     * the object, then the list of storage keys, then for each of those keys its element count
     * (int64, little-endian) and its bytes.
     */
    private static TorchPickleFile openLegacy(Path path, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        ByteBuffer head = ByteBuffer.allocate((int) Math.min(fileSize, MAX_PICKLE_BYTES));
        readFully(path, channel, head, 0);
        head.flip();
        try {
            Unpickler.Resolver plain = new Unpickler.Resolver() {
                @Override
                public Object global(String module, String name) {
                    throw new PickleFormatException(TorchGlobals.refusal(module + "." + name));
                }

                @Override
                public Object persistentLoad(Object pid) {
                    throw new PickleFormatException("the header of the legacy format refers to a storage");
                }
            };
            if (!LEGACY_MAGIC_NUMBER.equals(unpickle(path, head, plain))
                    || !Long.valueOf(LEGACY_PROTOCOL).equals(unpickle(path, head, plain))) {
                throw new TorchPickleException(path, "is not a torch file (wrong magic number or protocol)");
            }
            Object info = unpickle(path, head, plain);
            boolean bigEndian = info instanceof Map<?, ?> map && Boolean.FALSE.equals(map.get("little_endian"));
            Map<String, StoragePid> declared = new LinkedHashMap<>();
            Map<String, Long> dataStart = new HashMap<>();
            Map<String, TorchStorage> storages = new HashMap<>();
            Unpickler.Resolver resolver = new Unpickler.Resolver() {
                @Override
                public Object global(String module, String name) {
                    return TorchGlobals.resolve(module, name, bigEndian);
                }

                @Override
                public Object persistentLoad(Object pid) {
                    StoragePid id = StoragePid.of(pid, 6);
                    declared.putIfAbsent(id.key, id);
                    TorchStorage storage = id.check(storages.computeIfAbsent(id.key, key -> new TorchStorage(key,
                            id.type.dtype(), id.numel,
                            (offset, length) -> readAt(path, channel, dataStart.get(key) + offset, length))));
                    return id.view == null ? storage : view(storage, id.view, path);
                }
            };
            Object root = unpickle(path, head, resolver);
            Object keys = unpickle(path, head, plain);
            if (!(keys instanceof List<?> keyList)) {
                throw new TorchPickleException(path, "the legacy storage list is not a list");
            }
            long position = head.position();
            for (Object key : keyList) {
                StoragePid id = declared.get(key);
                if (id == null) {
                    throw new TorchPickleException(path, "the legacy storage list names storage '" + key
                            + "', which the pickle never uses");
                }
                ByteBuffer count = readAt(path, channel, position, 8).order(ByteOrder.LITTLE_ENDIAN);
                if (count.getLong(0) != id.numel) {
                    throw new TorchPickleException(path, "storage '" + key + "' has " + count.getLong(0)
                            + " elements but the pickle declares " + id.numel);
                }
                dataStart.put(id.key, position + 8);
                position = position + 8 + id.byteLength(path);
                if (position > fileSize) {
                    throw new TorchPickleException(path, "storage '" + key + "' runs past the end of the file: "
                            + "the file is truncated");
                }
            }
            if (!dataStart.keySet().containsAll(declared.keySet())) {
                throw new TorchPickleException(path, "the pickle uses storages the legacy storage list omits");
            }
            return new TorchPickleFile(path, "torch legacy pickle", channel, root);
        } catch (PickleFormatException e) {
            throw new TorchPickleException(path, e.getMessage());
        }
    }

    /** A legacy storage view {@code (view_key, offset, size)}: a storage that is a slice of another. */
    private static TorchStorage view(TorchStorage base, Object metadata, Path path) {
        if (!(metadata instanceof PickleTuple t) || t.size() != 3 || !(t.get(0) instanceof String key)
                || !(t.get(1) instanceof Long offset) || !(t.get(2) instanceof Long size)
                || offset < 0 || size < 0 || offset + size > base.numel()) {
            throw new TorchPickleException(path, "a legacy storage view is malformed or reaches past its storage");
        }
        long byteOffset = offset * base.dtype().byteSize();
        return new TorchStorage(key, base.dtype(), size, (at, length) -> base.read(byteOffset + at, length));
    }

    private static ByteBuffer readAt(Path path, FileChannel channel, long position, int length) {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        try {
            readFully(path, channel, buffer, position);
        } catch (IOException e) {
            throw new TorchPickleException(path, "read failed: " + e.getMessage(), e);
        }
        return buffer.flip();
    }

    private static void readFully(Path path, FileChannel channel, ByteBuffer buffer, long position)
            throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new TorchPickleException(path, "ends early: the file is truncated");
            }
            at += n;
        }
    }

    private static Object unpickle(Path path, ByteBuffer bytes, Unpickler.Resolver resolver) {
        try {
            return Unpickler.load(bytes, resolver);
        } catch (PickleFormatException e) {
            throw new TorchPickleException(path, e.getMessage());
        }
    }

    /** A storage's persistent id: {@code ('storage', torch.FloatStorage, key, location, numel[, view])}. */
    private record StoragePid(TorchGlobals.StorageType type, String key, long numel, Object view) {

        static StoragePid of(Object pid, int fields) {
            if (!(pid instanceof PickleTuple t) || t.size() < 5 || t.size() > fields || !"storage".equals(t.get(0))) {
                throw new PickleFormatException("a persistent id is not a torch storage reference");
            }
            if (!(t.get(1) instanceof TorchGlobals.StorageType type) || !(t.get(2) instanceof String key)
                    || !(t.get(4) instanceof Long numel) || numel < 0 || !STORAGE_KEY.matcher(key).matches()) {
                throw new PickleFormatException("a storage reference is malformed (it needs a storage type, a key "
                        + "of letters and digits, and an element count)");
            }
            return new StoragePid(type, key, numel, t.size() > 5 ? t.get(5) : null);
        }

        /** The storage already made for this key, which every reference to the key must describe alike. */
        TorchStorage check(TorchStorage storage) {
            if (storage.dtype() != type.dtype() || storage.numel() != numel) {
                throw new PickleFormatException("storage '" + key + "' is referred to as both " + storage.numel() + " "
                        + storage.dtype() + " and " + numel + " " + type.dtype() + " elements");
            }
            return storage;
        }

        long byteLength(Path path) {
            try {
                return Math.multiplyExact(numel, type.dtype().byteSize());
            } catch (ArithmeticException e) {
                throw new TorchPickleException(path, "storage '" + key + "' declares an impossible size");
            }
        }
    }

    /** The value the pickle holds, for readers of structured files (A1111 embeddings and hypernetworks). */
    public Object root() {
        return root;
    }

    /** The tensor objects by flattened name. */
    public Map<String, TorchTensor> tensorObjects() {
        return tensors;
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public String format() {
        return format;
    }

    @Override
    public Set<String> names() {
        return tensors.keySet();
    }

    @Override
    public TensorInfo info(String name) {
        TorchTensor tensor = tensor(name);
        return new TensorInfo(name, tensor.dtype(), tensor.shape(), 0, tensor.numel() * tensor.dtype().byteSize());
    }

    @Override
    public HostTensor read(String name) {
        return tensor(name).read();
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    private TorchTensor tensor(String name) {
        TorchTensor tensor = tensors.get(name);
        if (tensor == null) {
            throw new TorchPickleException(path, "has no tensor named '" + name + "'");
        }
        return tensor;
    }

    @Override
    public void close() {
        closeQuietly(resource);
    }

    private static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception ignored) {
            // Closing a file opened for reading cannot lose data.
        }
    }

    private static boolean startsWith(byte[] head, byte[] magic) {
        if (head.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (head[i] != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
