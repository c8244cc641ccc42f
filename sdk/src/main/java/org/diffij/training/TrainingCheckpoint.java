package org.diffij.training;

import ai.djl.ndarray.NDArray;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.diffij.DiffijException;
import org.diffij.engine.Tensors;
import org.diffij.io.HostTensor;
import org.diffij.io.SafetensorsFile;
import org.diffij.io.SafetensorsWriter;
import org.diffij.io.TensorInfo;
import org.diffij.io.Weights;
import org.diffij.nn.Autograd;

/**
 * A resumable training state in one safetensors file (written to a temporary file and renamed):
 * the trained tensors ({@code trained.<name>}), the optimiser state ({@code optimizer.<name>.exp_avg},
 * ...), and in {@code __metadata__} the request's macro string, the optimiser step (which is also
 * the LR-schedule position), the data position (epoch and batch within it; the order itself follows
 * from the seed, see {@link TrainingData#epoch}), a fingerprint of the data and every step's loss so
 * far (so that a resumed run reports the same running mean and plots the whole run). This record is that
 * metadata; the tensors go straight between the engine and the file, one at a time, since a full
 * fine-tune's state (10 GB for an SD 1.5 UNet) would not fit in Java memory beside the model.
 *
 * <p>Random numbers: the engine has one global generator whose state cannot be saved, so a trainer
 * reseeds it at every step with {@link #stepSeed}; the generator state is then a function of the
 * request's seed and the step, and a resumed run draws the same noise as an uninterrupted one.
 */
public record TrainingCheckpoint(TrainingRequest request, long step, int epoch, int batchInEpoch,
        String dataFingerprint, List<Double> losses) {

    public static final String FORMAT = "diffij-training-checkpoint/1";
    private static final String TRAINED = "trained.";
    private static final String OPTIMIZER = "optimizer.";

    public TrainingCheckpoint {
        dataFingerprint = dataFingerprint == null ? "" : dataFingerprint;
        losses = List.copyOf(losses == null ? List.of() : losses);
        if (!losses.isEmpty() && losses.size() != step) {
            throw new IllegalArgumentException("a checkpoint at step " + step + " holds " + losses.size() + " losses");
        }
    }

    /** The engine seed of an optimiser step: distinct per step, the same in every run of the request. */
    public static long stepSeed(long seed, long step) {
        long h = (seed + 0x9E3779B97F4A7C15L * (step + 1)) * 0xBF58476D1CE4E5B9L;
        h ^= h >>> 29;
        return (h & 0x7FFFFFFFL);
    }

    /** Writes this position with the trained tensors and the optimiser state (as {@link AdamW#state}). */
    public void write(Path file, Map<String, NDArray> trained, Map<String, NDArray> optimizerState) {
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        trained.forEach((name, tensor) -> arrays.put(TRAINED + name, tensor));
        optimizerState.forEach((name, tensor) -> arrays.put(OPTIMIZER + name, tensor));
        Map<String, TensorInfo> infos = new LinkedHashMap<>();
        arrays.forEach((name, array) -> infos.put(name, Tensors.hostInfo(name, array)));
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", FORMAT);
        metadata.put("diffij.request", request.toMacroOptions());
        metadata.put("diffij.step", Long.toString(step));
        metadata.put("diffij.epoch", Integer.toString(epoch));
        metadata.put("diffij.batch_in_epoch", Integer.toString(batchInEpoch));
        metadata.put("diffij.data", dataFingerprint);
        metadata.put("diffij.losses", losses.stream().map(String::valueOf).collect(Collectors.joining(",")));
        SafetensorsWriter.write(file, infos, name -> Tensors.toHost(arrays.get(name)), metadata);
    }

    /** Reads a checkpoint's position (its tensors stay in the file until {@link #restore}). */
    public static TrainingCheckpoint read(Path file) {
        try (SafetensorsFile in = open(file)) {
            Map<String, String> metadata = in.metadata();
            try {
                // Checkpoints of Diffij before 0.2.0 have no losses: their resumed runs start the mean afresh.
                String losses = metadata.getOrDefault("diffij.losses", "");
                return new TrainingCheckpoint(TrainingRequest.fromMacroOptions(metadata.get("diffij.request")),
                        Long.parseLong(metadata.get("diffij.step")), Integer.parseInt(metadata.get("diffij.epoch")),
                        Integer.parseInt(metadata.get("diffij.batch_in_epoch")), metadata.get("diffij.data"),
                        losses.isEmpty() ? List.of() : Arrays.stream(losses.split(",")).map(Double::valueOf).toList());
            } catch (RuntimeException e) {
                throw new DiffijException(file + ": the training checkpoint's metadata is damaged ("
                        + e.getMessage() + ")", e);
            }
        }
    }

    /** The names of the tensors a checkpoint trains, without reading them. */
    public static Set<String> trainedNames(Path file) {
        try (SafetensorsFile in = open(file)) {
            return new TreeSet<>(part(in, TRAINED).names());
        }
    }

    /**
     * Puts a checkpoint's trained values into {@code trained} (in place, outside autograd) and its
     * optimiser state into {@code optimizer}, tensor by tensor; refused when the checkpoint trains other
     * tensors or shapes than this run.
     */
    public static void restore(Path file, Map<String, NDArray> trained, AdamW optimizer) {
        try (SafetensorsFile in = open(file)) {
            Weights saved = part(in, TRAINED);
            if (!saved.names().equals(trained.keySet())) {
                throw new DiffijException("resume refused: the checkpoint trains " + saved.names().size()
                        + " tensors, this run " + trained.size() + "; it was made by another version of the method");
            }
            Autograd.untracked(() -> trained.forEach((name, tensor) -> {
                HostTensor value = saved.read(name);
                if (!Arrays.equals(value.shape(), tensor.getShape().getShape())) {
                    throw new DiffijException("resume refused: the checkpoint's " + name + " has another shape");
                }
                tensor.set(value.toFloatArray());
            }));
            optimizer.importState(part(in, OPTIMIZER));
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

    /** Opens a file that must be a checkpoint: the format in its metadata, only trained/optimizer tensors. */
    private static SafetensorsFile open(Path file) {
        SafetensorsFile in = SafetensorsFile.open(file);
        try {
            if (!FORMAT.equals(in.metadata().get("format"))) {
                throw new DiffijException(file + ": not a Diffij training checkpoint (no format " + FORMAT
                        + " in its metadata); resume from a checkpoint a training run wrote");
            }
            for (String name : in.names()) {
                if (!name.startsWith(TRAINED) && !name.startsWith(OPTIMIZER)) {
                    throw new DiffijException(file + ": unexpected tensor '" + name + "' in a training checkpoint");
                }
            }
            return in;
        } catch (RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** The tensors under {@code prefix}, named without it, read from the open file on demand. */
    private static Weights part(SafetensorsFile in, String prefix) {
        Set<String> names = new TreeSet<>();
        in.names().stream().filter(n -> n.startsWith(prefix)).forEach(n -> names.add(n.substring(prefix.length())));
        return new Weights() {
            @Override
            public Set<String> names() {
                return names;
            }

            @Override
            public HostTensor read(String name) {
                return in.read(prefix + name);
            }
        };
    }
}
