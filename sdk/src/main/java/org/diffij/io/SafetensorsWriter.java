package org.diffij.io;

import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Writes safetensors files that diffusers, A1111 and ComfyUI read: header keys sorted by name, the
 * header padded with spaces to a multiple of 8, data ordered by element size so every tensor is
 * aligned to its element. The file appears only when complete ({@link AtomicFiles}).
 */
public final class SafetensorsWriter {

    private SafetensorsWriter() {
    }

    public static void write(Path target, Map<String, HostTensor> tensors, Map<String, String> metadata) {
        Map<String, TensorInfo> infos = new TreeMap<>();
        tensors.forEach((name, t) -> infos.put(name, new TensorInfo(name, t.dtype(), t.shape(), 0,
                t.bytes().remaining())));
        write(target, infos, tensors::get, metadata);
    }

    /**
     * Copies every tensor of a weight file (of any format) into a safetensors file, one tensor in memory
     * at a time, so that multi-gigabyte checkpoints convert in little memory.
     */
    public static void write(Path target, WeightFile source, Map<String, String> metadata) {
        Map<String, TensorInfo> infos = new TreeMap<>();
        source.names().forEach(name -> infos.put(name, source.info(name)));
        write(target, infos, source::read, metadata);
    }

    /**
     * Writes the tensors {@code infos} describes, asking {@code source} for each one only when its bytes
     * are due, so that no more than one tensor is held in memory (an optimiser state of many gigabytes
     * is written tensor by tensor). The infos' byte ranges are ignored: the writer lays the data out.
     */
    public static void write(Path target, Map<String, TensorInfo> infos, Function<String, HostTensor> source,
            Map<String, String> metadata) {
        try {
            AtomicFiles.write(target, file -> writeTo(file, infos, source, metadata));
        } catch (IOException e) {
            throw new SafetensorsException(target, "cannot be written: " + e.getMessage(), e);
        }
    }

    private static void writeTo(Path file, Map<String, TensorInfo> infos, Function<String, HostTensor> source,
            Map<String, String> metadata) throws IOException {
        List<String> dataOrder = new ArrayList<>(infos.keySet());
        dataOrder.sort(Comparator.comparingInt((String n) -> -infos.get(n).dtype().byteSize())
                .thenComparing(Comparator.naturalOrder()));
        Map<String, long[]> offsets = new TreeMap<>();
        long position = 0;
        for (String name : dataOrder) {
            long length = infos.get(name).byteLength();
            offsets.put(name, new long[] {position, position + length});
            position += length;
        }
        byte[] header = headerJson(infos, metadata, offsets);
        int padded = (header.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(header);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(channel, head.flip());
            for (String name : dataOrder) {
                ByteBuffer bytes = source.apply(name).bytes();
                if (bytes.remaining() != infos.get(name).byteLength()) {
                    throw new IOException("tensor '" + name + "' changed size while being written");
                }
                writeFully(channel, bytes);
            }
            channel.force(true);
        }
    }

    private static byte[] headerJson(Map<String, TensorInfo> infos, Map<String, String> metadata,
            Map<String, long[]> offsets) throws IOException {
        StringWriter text = new StringWriter();
        try (JsonWriter json = new JsonWriter(text)) {
            json.beginObject();
            if (metadata != null && !metadata.isEmpty()) {
                json.name("__metadata__").beginObject();
                for (Map.Entry<String, String> entry : new TreeMap<>(metadata).entrySet()) {
                    json.name(entry.getKey()).value(entry.getValue());
                }
                json.endObject();
            }
            for (Map.Entry<String, long[]> entry : offsets.entrySet()) {
                TensorInfo tensor = infos.get(entry.getKey());
                json.name(entry.getKey()).beginObject();
                json.name("dtype").value(tensor.dtype().name());
                json.name("shape").beginArray();
                for (long d : tensor.shape()) {
                    json.value(d);
                }
                json.endArray();
                json.name("data_offsets").beginArray().value(entry.getValue()[0]).value(entry.getValue()[1]).endArray();
                json.endObject();
            }
            json.endObject();
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}
