package org.diffij.io;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.diffij.DiffijException;

/**
 * What a model file or folder holds: for each weight file its tensors, parameter count, dtypes and
 * what kind of file it looks like. Reads headers (of a pickle: its data.pkl) only, so it is instant even
 * for 7 GB checkpoints.
 */
public record ModelSummary(Path path, String kind, List<Part> parts) {

    /** One weight file (or sharded set) with what it holds. */
    public record Part(String name, String className, Path file, List<TensorInfo> tensors,
            Map<String, String> metadata) {

        public long parameters() {
            return tensors.stream().mapToLong(TensorInfo::numel).sum();
        }

        /** Tensor counts per dtype, e.g. {F16=84}. */
        public Map<DType, Integer> dtypes() {
            Map<DType, Integer> counts = new TreeMap<>();
            tensors.forEach(t -> counts.merge(t.dtype(), 1, Integer::sum));
            return counts;
        }
    }

    public long parameters() {
        return parts.stream().mapToLong(Part::parameters).sum();
    }

    public int tensorCount() {
        return parts.stream().mapToInt(p -> p.tensors().size()).sum();
    }

    public static ModelSummary of(Path path) {
        if (!Files.exists(path)) {
            throw new DiffijException(path + ": no such file or folder");
        }
        if (Files.isDirectory(path)) {
            return ofFolder(path);
        }
        try (WeightSet weights = WeightSet.open(path)) {
            Part part = part(path.getFileName().toString(), null, path, weights);
            String format = weights.files().get(0).format();
            return new ModelSummary(path, FileKinds.detect(weights.names()) + " (" + format + ")", List.of(part));
        }
    }

    private static ModelSummary ofFolder(Path folder) {
        ModelFolder model = ModelFolder.open(folder);
        List<Part> parts = new ArrayList<>();
        for (ModelFolder.Component component : model.components().values()) {
            if (component.weights() == null) {
                parts.add(new Part(component.name(), component.className(), null, List.of(), Map.of()));
                continue;
            }
            try (WeightSet weights = WeightSet.open(component.weights())) {
                parts.add(part(component.name(), component.className(), component.weights(), weights));
            }
        }
        String kind = model.pipelineClass().map(c -> "diffusers pipeline " + c)
                .orElseGet(() -> "diffusers model " + parts.get(0).className());
        return new ModelSummary(folder, kind, parts);
    }

    private static Part part(String name, String className, Path file, WeightSet weights) {
        List<TensorInfo> infos = new ArrayList<>();
        for (String tensor : weights.names()) {
            infos.add(weights.info(tensor));
        }
        return new Part(name, className, file, infos, weights.metadata());
    }
}
