package org.diffij.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.diffij.DiffijException;

/**
 * The weights of one model component by name, wherever they are stored: a single safetensors file
 * or torch pickle ({@link WeightFile#open} tells them apart by content), a sharded set with its
 * {@code *.safetensors.index.json} / {@code pytorch_model.bin.index.json}, or a variant such as
 * {@code diffusion_pytorch_model.fp16.safetensors} when it is the only one there. In a folder,
 * safetensors files are preferred; a pickled {@code .bin} is used only when it is all there is.
 */
public final class WeightSet implements Weights, AutoCloseable {

    private final List<WeightFile> files;
    private final Map<String, WeightFile> byName;

    private WeightSet(List<WeightFile> files) {
        this.files = files;
        Map<String, WeightFile> names = new TreeMap<>();
        for (WeightFile file : files) {
            for (String name : file.names()) {
                WeightFile previous = names.put(name, file);
                if (previous != null) {
                    close(files);
                    throw new DiffijException("tensor '" + name + "' is stored twice, in " + previous.path().getFileName()
                            + " and " + file.path().getFileName());
                }
            }
        }
        this.byName = names;
    }

    private static final List<String> PICKLE_SUFFIXES = List.of(".bin", ".pt", ".pth", ".ckpt");

    /** One file, or a sharded set when given its index. */
    public static WeightSet open(Path path) {
        if (path.getFileName().toString().endsWith(".index.json")) {
            return openIndex(path);
        }
        return new WeightSet(List.of(WeightFile.open(path)));
    }

    /** The weights of a component folder of a diffusers pipeline ({@code unet/}, {@code vae/}, ...). */
    public static WeightSet openFolder(Path folder) {
        Path file = weightFile(folder);
        if (file == null) {
            throw new DiffijException(folder + ": no weights here (neither .safetensors nor a torch .bin)");
        }
        return open(file);
    }

    /** The file (or shard index) holding a component folder's weights, or null when there is none. */
    public static Path weightFile(Path folder) {
        List<Path> candidates;
        try (Stream<Path> list = Files.list(folder)) {
            candidates = list.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new DiffijException(folder + ": cannot be listed (" + e.getMessage() + ")", e);
        }
        Path safetensors = weightFile(candidates, List.of(".safetensors"));
        return safetensors != null ? safetensors : weightFile(candidates, PICKLE_SUFFIXES);
    }

    /** The shard index, else the plain file, else a variant ({@code .fp16.}) with one of the suffixes. */
    private static Path weightFile(List<Path> candidates, List<String> suffixes) {
        List<Path> indexes = new ArrayList<>();
        List<Path> plain = new ArrayList<>();
        List<Path> variants = new ArrayList<>();
        for (Path p : candidates) {
            String name = p.getFileName().toString();
            for (String suffix : suffixes) {
                if (name.endsWith(suffix + ".index.json")) {
                    indexes.add(p);
                } else if (name.endsWith(suffix)) {
                    String stem = name.substring(0, name.length() - suffix.length());
                    (stem.contains(".") ? variants : plain).add(p);
                }
            }
        }
        for (List<Path> group : List.of(indexes, plain, variants)) {
            if (!group.isEmpty()) {
                return group.get(0);
            }
        }
        return null;
    }

    private static WeightSet openIndex(Path index) {
        JsonObject json = Json.readObject(index);
        JsonElement weightMap = json.get("weight_map");
        if (weightMap == null || !weightMap.isJsonObject() || weightMap.getAsJsonObject().isEmpty()) {
            throw new DiffijException(index + ": a shard index needs a \"weight_map\" object from tensor names to "
                    + "shard file names");
        }
        JsonObject map = weightMap.getAsJsonObject();
        Map<String, Path> shards = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> entry : map.entrySet()) {
            JsonElement value = entry.getValue();
            String shard = value.isJsonPrimitive() && value.getAsJsonPrimitive().isString() ? value.getAsString() : "";
            if (shard.isEmpty() || shard.contains("/") || shard.contains("\\") || shard.equals("..")) {
                throw new DiffijException(index + ": \"weight_map\" maps '" + entry.getKey() + "' to " + value
                        + "; each value must be the file name of a shard beside the index");
            }
            shards.computeIfAbsent(shard, s -> index.resolveSibling(s));
        }
        List<WeightFile> files = new ArrayList<>();
        try {
            for (Path shard : shards.values()) {
                files.add(WeightFile.open(shard));
            }
        } catch (RuntimeException e) {
            close(files);
            throw e;
        }
        WeightSet set = new WeightSet(files);
        for (Map.Entry<String, JsonElement> entry : map.entrySet()) {
            WeightFile holder = set.byName.get(entry.getKey());
            if (holder == null || !holder.path().getFileName().toString().equals(entry.getValue().getAsString())) {
                set.close();
                throw new DiffijException(index + ": lists '" + entry.getKey() + "' in " + entry.getValue().getAsString()
                        + " but that shard does not hold it");
            }
        }
        return set;
    }

    @Override
    public Set<String> names() {
        return byName.keySet();
    }

    @Override
    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    public TensorInfo info(String name) {
        return file(name).info(name);
    }

    @Override
    public HostTensor read(String name) {
        return file(name).read(name);
    }

    public List<WeightFile> files() {
        return files;
    }

    /** Metadata of the first file (shards repeat it). */
    public Map<String, String> metadata() {
        return files.isEmpty() ? Map.of() : files.get(0).metadata();
    }

    private WeightFile file(String name) {
        WeightFile file = byName.get(name);
        if (file == null) {
            throw new DiffijException("no weight named '" + name + "' in "
                    + files.stream().map(f -> f.path().getFileName().toString()).toList());
        }
        return file;
    }

    @Override
    public void close() {
        close(files);
    }

    private static void close(List<WeightFile> files) {
        files.forEach(WeightFile::close);
    }
}
