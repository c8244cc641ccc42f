package org.diffij.io;

import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes safetensors files that diffusers, A1111 and ComfyUI read: header keys sorted by name, the
 * header padded with spaces to a multiple of 8, data ordered by element size so every tensor is
 * aligned to its element. The file appears only when complete: it is written to a temporary file
 * beside the target and renamed, so an interrupted save never leaves a half-written model.
 */
public final class SafetensorsWriter {

    private SafetensorsWriter() {
    }

    public static void write(Path target, Map<String, HostTensor> tensors, Map<String, String> metadata) {
        Path absolute = target.toAbsolutePath();
        Path directory = absolute.getParent();
        Path temporary = null;
        try {
            Files.createDirectories(directory);
            temporary = Files.createTempFile(directory, "." + absolute.getFileName(), ".partial");
            writeTo(temporary, tensors, metadata);
            moveIntoPlace(temporary, absolute);
            temporary = null;
        } catch (IOException e) {
            throw new SafetensorsException(target, "cannot be written: " + e.getMessage(), e);
        } finally {
            if (temporary != null) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException ignored) {
                    // The temporary file is hidden and named .partial; leaving it is harmless.
                }
            }
        }
    }

    private static void moveIntoPlace(Path temporary, Path target) throws IOException {
        try {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void writeTo(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata)
            throws IOException {
        List<String> dataOrder = new ArrayList<>(tensors.keySet());
        dataOrder.sort(Comparator.comparingInt((String n) -> -tensors.get(n).dtype().byteSize())
                .thenComparing(Comparator.naturalOrder()));
        Map<String, long[]> offsets = new TreeMap<>();
        long position = 0;
        for (String name : dataOrder) {
            long length = tensors.get(name).bytes().remaining();
            offsets.put(name, new long[] {position, position + length});
            position += length;
        }
        byte[] header = headerJson(tensors, metadata, offsets);
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
                writeFully(channel, tensors.get(name).bytes());
            }
            channel.force(true);
        }
    }

    private static byte[] headerJson(Map<String, HostTensor> tensors, Map<String, String> metadata,
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
                HostTensor tensor = tensors.get(entry.getKey());
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
