package org.diffij.io;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.diffij.DiffijException;

/**
 * A safetensors file opened for lazy reading: the header is parsed and validated at open, tensor
 * bytes are memory-mapped only when a tensor is asked for. Every malformed file is rejected with a
 * {@link SafetensorsException} naming the file and the problem, before any data is touched.
 */
public final class SafetensorsFile implements WeightFile {

    /** Real headers are a few hundred KB even for SDXL; anything near this is corrupt or hostile. */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, FileChannel channel, long dataStart, Map<String, TensorInfo> tensors,
            Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    public static SafetensorsFile open(Path path) {
        String problem = InputFiles.fileProblem(path);
        if (problem != null) {
            throw new SafetensorsException(path, problem);
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new SafetensorsException(path, "no such file");
        } catch (IOException e) {
            throw new DiffijException(InputFiles.describe(path, e), e);
        }
        try {
            return parse(path, channel);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static SafetensorsFile parse(Path path, FileChannel channel) {
        try {
            long fileSize = channel.size();
            if (fileSize == 0) {
                throw new SafetensorsException(path, "the file is empty");
            }
            if (fileSize < 8) {
                throw new SafetensorsException(path, "only " + fileSize
                        + " bytes: too short for the 8-byte header length every safetensors file starts with");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.getLong(0);
            if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
                throw new SafetensorsException(path, "header length " + Long.toUnsignedString(headerLength)
                        + " is absurd (limit 100 MB): this is not a safetensors file or it is corrupt");
            }
            if (8 + headerLength > fileSize) {
                throw new SafetensorsException(path, "header length " + headerLength + " runs past the end of the "
                        + fileSize + "-byte file: the file is truncated");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(channel, header, 8);
            String json = StandardCharsets.UTF_8.decode(header.flip()).toString();
            long dataStart = 8 + headerLength;
            Header parsed = parseHeader(path, json, fileSize - dataStart);
            return new SafetensorsFile(path, channel, dataStart, parsed.tensors, parsed.metadata);
        } catch (IOException e) {
            throw new SafetensorsException(path, "read failed: " + e.getMessage(), e);
        }
    }

    private record Header(Map<String, TensorInfo> tensors, Map<String, String> metadata) {
    }

    private static Header parseHeader(Path path, String json, long dataLength) {
        Map<String, TensorInfo> tensors = new TreeMap<>();
        Map<String, String> metadata = Map.of();
        try (JsonReader reader = new JsonReader(new StringReader(json))) {
            if (reader.peek() != JsonToken.BEGIN_OBJECT) {
                throw new SafetensorsException(path, "header is not a JSON object");
            }
            reader.beginObject();
            boolean sawMetadata = false;
            while (reader.hasNext()) {
                String name = reader.nextName();
                if (name.equals("__metadata__")) {
                    if (sawMetadata) {
                        throw new SafetensorsException(path, "header has two __metadata__ entries");
                    }
                    sawMetadata = true;
                    metadata = readMetadata(path, reader);
                    continue;
                }
                if (tensors.containsKey(name)) {
                    throw new SafetensorsException(path, "tensor '" + name + "' is listed twice in the header");
                }
                tensors.put(name, readEntry(path, name, reader, dataLength));
            }
            reader.endObject();
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new SafetensorsException(path, "header has data after its JSON object");
            }
        } catch (SafetensorsException e) {
            throw e;
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw new SafetensorsException(path, "header is not valid safetensors JSON ("
                    + firstLine(e.getMessage()) + ")", e);
        }
        checkLayout(path, tensors.values());
        return new Header(Collections.unmodifiableMap(tensors), metadata);
    }

    private static Map<String, String> readMetadata(Path path, JsonReader reader) throws IOException {
        if (reader.peek() != JsonToken.BEGIN_OBJECT) {
            throw new SafetensorsException(path, "__metadata__ is not a JSON object of strings");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        reader.beginObject();
        while (reader.hasNext()) {
            String key = reader.nextName();
            JsonToken token = reader.peek();
            if (token == JsonToken.STRING || token == JsonToken.NUMBER || token == JsonToken.BOOLEAN) {
                metadata.put(key, reader.nextString());
            } else {
                throw new SafetensorsException(path, "__metadata__ value of '" + key + "' is not a string");
            }
        }
        reader.endObject();
        return Collections.unmodifiableMap(metadata);
    }

    private static TensorInfo readEntry(Path path, String name, JsonReader reader, long dataLength)
            throws IOException {
        if (reader.peek() != JsonToken.BEGIN_OBJECT) {
            throw new SafetensorsException(path, "header entry '" + name + "' is not an object");
        }
        DType dtype = null;
        long[] shape = null;
        long[] offsets = null;
        reader.beginObject();
        while (reader.hasNext()) {
            String key = reader.nextName();
            switch (key) {
                case "dtype" -> {
                    String text = reader.nextString();
                    dtype = DType.parse(text);
                    if (dtype == null) {
                        throw new SafetensorsException(path, "tensor '" + name + "' has unknown dtype '" + text + "'");
                    }
                }
                case "shape" -> shape = readLongs(reader);
                case "data_offsets" -> offsets = readLongs(reader);
                default -> reader.skipValue();
            }
        }
        reader.endObject();
        if (dtype == null || shape == null || offsets == null) {
            throw new SafetensorsException(path, "tensor '" + name + "' lacks "
                    + (dtype == null ? "dtype" : shape == null ? "shape" : "data_offsets"));
        }
        for (long d : shape) {
            if (d < 0) {
                throw new SafetensorsException(path, "tensor '" + name + "' has a negative dimension in shape "
                        + Arrays.toString(shape));
            }
        }
        if (offsets.length != 2) {
            throw new SafetensorsException(path, "tensor '" + name + "' needs two data_offsets, has "
                    + offsets.length);
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (begin < 0 || end < begin) {
            throw new SafetensorsException(path, "tensor '" + name + "' has invalid data_offsets ["
                    + begin + ", " + end + "]");
        }
        if (end > dataLength) {
            throw new SafetensorsException(path, "tensor '" + name + "' ends at byte " + end
                    + " but the data section holds " + dataLength + " bytes: the file is truncated");
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(HostTensor.numel(shape), dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new SafetensorsException(path, "tensor '" + name + "' has an impossibly large shape "
                    + Arrays.toString(shape));
        }
        if (bytes != end - begin) {
            throw new SafetensorsException(path, "tensor '" + name + "' of dtype " + dtype + " and shape "
                    + Arrays.toString(shape) + " needs " + bytes + " bytes but its data_offsets span " + (end - begin));
        }
        if (begin % dtype.byteSize() != 0) {
            throw new SafetensorsException(path, "tensor '" + name + "' starts at data offset " + begin
                    + ", not a multiple of its " + dtype.byteSize() + "-byte element size");
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static String firstLine(String message) {
        String text = String.valueOf(message);
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    private static long[] readLongs(JsonReader reader) throws IOException {
        List<Long> values = new ArrayList<>();
        reader.beginArray();
        while (reader.hasNext()) {
            values.add(reader.nextLong());
        }
        reader.endArray();
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    private static void checkLayout(Path path, Iterable<TensorInfo> infos) {
        List<TensorInfo> byOffset = new ArrayList<>();
        infos.forEach(byOffset::add);
        byOffset.removeIf(t -> t.byteLength() == 0);
        byOffset.sort(Comparator.comparingLong(TensorInfo::begin));
        for (int i = 1; i < byOffset.size(); i++) {
            TensorInfo previous = byOffset.get(i - 1);
            TensorInfo current = byOffset.get(i);
            if (current.begin() < previous.end()) {
                throw new SafetensorsException(path, "tensors '" + previous.name() + "' and '" + current.name()
                        + "' overlap in the data section");
            }
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            at += n;
        }
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public String format() {
        return "safetensors";
    }

    /** The {@code __metadata__} string map (empty when the file has none). */
    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    /** All tensors, sorted by name. */
    @Override
    public List<TensorInfo> tensors() {
        return List.copyOf(tensors.values());
    }

    @Override
    public Set<String> names() {
        return tensors.keySet();
    }

    @Override
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    @Override
    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new SafetensorsException(path, "has no tensor named '" + name + "'");
        }
        return info;
    }

    /** The tensor's bytes as a read-only little-endian view of the file mapping. */
    public ByteBuffer bytes(String name) {
        TensorInfo info = info(name);
        if (info.byteLength() == 0) {
            return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + info.begin(), info.byteLength())
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new SafetensorsException(path, "cannot map tensor '" + name + "': " + e.getMessage(), e);
        }
    }

    /** The tensor in its stored dtype, backed by the file mapping (read-only). */
    @Override
    public HostTensor read(String name) {
        TensorInfo info = info(name);
        return new HostTensor(info.dtype(), info.shape(), bytes(name));
    }

    public float[] readFloats(String name) {
        return read(name).toFloatArray();
    }

    public long[] readLongs(String name) {
        return read(name).toLongArray();
    }

    public long totalParameters() {
        return tensors.values().stream().mapToLong(TensorInfo::numel).sum();
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Closing a read-only channel cannot lose data.
        }
    }

    /** True when the file starts like a safetensors file (used to sniff files by content, not name). */
    public static boolean looksLikeSafetensors(Path path) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            if (channel.size() < 10) {
                return false;
            }
            ByteBuffer head = ByteBuffer.allocate(9).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, head, 0);
            long length = head.getLong(0);
            return length > 0 && length <= MAX_HEADER_BYTES && head.get(8) == '{';
        } catch (IOException e) {
            return false;
        }
    }
}
