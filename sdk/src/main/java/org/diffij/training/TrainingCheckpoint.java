package org.diffij.training;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.diffij.DiffijException;
import org.diffij.io.HostTensor;
import org.diffij.io.SafetensorsFile;
import org.diffij.io.SafetensorsWriter;

/**
 * A resumable training state in one safetensors file (written to a temporary file and renamed):
 * the trained tensors ({@code trained.<name>}), the optimiser state ({@code optimizer.<name>.exp_avg},
 * ...), and in {@code __metadata__} the request's macro string, the optimiser step (which is also
 * the LR-schedule position), the data position (epoch and batch within it; the order itself follows
 * from the seed, see {@link TrainingData#epoch}) and a fingerprint of the data.
 *
 * <p>Random numbers: the engine has one global generator whose state cannot be saved, so a trainer
 * reseeds it at every step with {@link #stepSeed}; the generator state is then a function of the
 * request's seed and the step, and a resumed run draws the same noise as an uninterrupted one.
 */
public record TrainingCheckpoint(TrainingRequest request, long step, int epoch, int batchInEpoch,
        String dataFingerprint, Map<String, HostTensor> trained, Map<String, HostTensor> optimizerState) {

    public static final String FORMAT = "diffij-training-checkpoint/1";
    private static final String TRAINED = "trained.";
    private static final String OPTIMIZER = "optimizer.";

    public TrainingCheckpoint {
        trained = Map.copyOf(trained);
        optimizerState = Map.copyOf(optimizerState);
        dataFingerprint = dataFingerprint == null ? "" : dataFingerprint;
    }

    /** The engine seed of an optimiser step: distinct per step, the same in every run of the request. */
    public static long stepSeed(long seed, long step) {
        long h = (seed + 0x9E3779B97F4A7C15L * (step + 1)) * 0xBF58476D1CE4E5B9L;
        h ^= h >>> 29;
        return (h & 0x7FFFFFFFL);
    }

    public void write(Path file) {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        trained.forEach((name, tensor) -> tensors.put(TRAINED + name, tensor));
        optimizerState.forEach((name, tensor) -> tensors.put(OPTIMIZER + name, tensor));
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", FORMAT);
        metadata.put("diffij.request", request.toMacroOptions());
        metadata.put("diffij.step", Long.toString(step));
        metadata.put("diffij.epoch", Integer.toString(epoch));
        metadata.put("diffij.batch_in_epoch", Integer.toString(batchInEpoch));
        metadata.put("diffij.data", dataFingerprint);
        SafetensorsWriter.write(file, tensors, metadata);
    }

    public static TrainingCheckpoint read(Path file) {
        try (SafetensorsFile in = SafetensorsFile.open(file)) {
            Map<String, String> metadata = in.metadata();
            if (!FORMAT.equals(metadata.get("format"))) {
                throw new DiffijException(file + ": not a Diffij training checkpoint (no format " + FORMAT
                        + " in its metadata); resume from a checkpoint a training run wrote");
            }
            Map<String, HostTensor> trained = new LinkedHashMap<>();
            Map<String, HostTensor> optimizer = new LinkedHashMap<>();
            for (String name : in.names()) {
                HostTensor tensor = copy(in.read(name));
                if (name.startsWith(TRAINED)) {
                    trained.put(name.substring(TRAINED.length()), tensor);
                } else if (name.startsWith(OPTIMIZER)) {
                    optimizer.put(name.substring(OPTIMIZER.length()), tensor);
                } else {
                    throw new DiffijException(file + ": unexpected tensor '" + name + "' in a training checkpoint");
                }
            }
            try {
                return new TrainingCheckpoint(TrainingRequest.fromMacroOptions(metadata.get("diffij.request")),
                        Long.parseLong(metadata.get("diffij.step")), Integer.parseInt(metadata.get("diffij.epoch")),
                        Integer.parseInt(metadata.get("diffij.batch_in_epoch")), metadata.get("diffij.data"), trained,
                        optimizer);
            } catch (RuntimeException e) {
                throw new DiffijException(file + ": the training checkpoint's metadata is damaged ("
                        + e.getMessage() + ")", e);
            }
        }
    }

    /**
     * Checks that this checkpoint can continue {@code now} on data with {@code fingerprint}: the same
     * training keys and the same data, else a one-line refusal naming what differs.
     */
    public void requireResumableWith(TrainingRequest now, String fingerprint) {
        String refusal = now.resumeRefusal(request);
        if (refusal != null) {
            throw new DiffijException(refusal);
        }
        if (!dataFingerprint.equals(fingerprint)) {
            throw new DiffijException("resume refused: the training data changed since the checkpoint (images, "
                    + "sizes or captions differ)");
        }
    }

    private static HostTensor copy(HostTensor mapped) {
        ByteBuffer bytes = ByteBuffer.allocate(mapped.bytes().remaining()).order(ByteOrder.LITTLE_ENDIAN);
        bytes.put(mapped.bytes()).flip();
        return new HostTensor(mapped.dtype(), mapped.shape(), bytes);
    }
}
