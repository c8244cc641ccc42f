package org.diffij.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.diffij.DiffijException;
import org.diffij.io.pickle.TorchPickleFile;

/**
 * One file of named tensors, opened for lazy reading: a safetensors file or a torch pickle
 * ({@code .pt}, {@code .ckpt}, {@code .bin}, {@code .pth}). {@link #open} picks the reader by the
 * file's first bytes, not its name, since users rename files freely.
 */
public interface WeightFile extends Weights, AutoCloseable {

    Path path();

    /** What the file is in words ("safetensors", "torch zip pickle", ...). */
    String format();

    /** Shape and dtype of a tensor without reading it. */
    TensorInfo info(String name);

    /** String metadata: the safetensors {@code __metadata__}, or a pickle's non-tensor values. */
    Map<String, String> metadata();

    /** All tensors, sorted by name. */
    default List<TensorInfo> tensors() {
        return names().stream().sorted().map(this::info).toList();
    }

    @Override
    void close();

    /** Opens a safetensors file or a torch pickle, whichever the content is. */
    static WeightFile open(Path path) {
        InputFiles.requireFile(path);
        byte[] head = head(path);
        if (TorchPickleFile.recognises(head)) {
            return TorchPickleFile.open(path);
        }
        if (SafetensorsFile.looksLikeSafetensors(path)) {
            return SafetensorsFile.open(path);
        }
        String name = path.getFileName().toString();
        if (name.endsWith(".safetensors")) {
            return SafetensorsFile.open(path);
        }
        throw new DiffijException(name + ": neither a safetensors file nor a torch pickle (zip or legacy); "
                + "Diffij reads weights only from those");
    }

    private static byte[] head(Path path) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer head = ByteBuffer.allocate(16);
            while (head.hasRemaining() && channel.read(head) > 0) {
                // Fills up to 16 bytes; a shorter file gives a shorter head.
            }
            byte[] bytes = new byte[head.flip().remaining()];
            head.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new DiffijException(InputFiles.describe(path, e), e);
        }
    }
}
