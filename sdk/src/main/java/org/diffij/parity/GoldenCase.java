package org.diffij.parity;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.List;
import org.diffij.DiffijException;
import org.diffij.io.HostTensor;
import org.diffij.io.SafetensorsFile;

/**
 * One reference case of the manifest: inputs and expected outputs produced by diffusers /
 * transformers, with the tolerance the comparison must meet. The case file is opened on first use.
 */
public final class GoldenCase implements AutoCloseable {

    private final GoldenManifest manifest;
    private final String id;
    private final String area;
    private final String model;
    private final Path file;
    private final JsonObject params;
    private final List<String> inputNames;
    private final List<String> outputNames;
    private final JsonObject tolerance;
    private SafetensorsFile tensors;

    GoldenCase(GoldenManifest manifest, String id, String area, String model, Path file, JsonObject params,
            List<String> inputNames, List<String> outputNames, JsonObject tolerance) {
        this.manifest = manifest;
        this.id = id;
        this.area = area;
        this.model = model;
        this.file = file;
        this.params = params;
        this.inputNames = List.copyOf(inputNames);
        this.outputNames = List.copyOf(outputNames);
        this.tolerance = tolerance;
    }

    public String id() {
        return id;
    }

    public String area() {
        return area;
    }

    /** The manifest's model name, or null for cases that use no model. */
    public String model() {
        return model;
    }

    /** The folder or file of this case's model inside the golden tree. */
    public Path modelPath() {
        if (model == null) {
            throw new DiffijException("case " + id + " names no model");
        }
        return manifest.modelPath(model);
    }

    public GoldenManifest manifest() {
        return manifest;
    }

    public JsonObject params() {
        return params;
    }

    public List<String> inputNames() {
        return inputNames;
    }

    public List<String> outputNames() {
        return outputNames;
    }

    public JsonObject tolerance() {
        return tolerance;
    }

    public Path file() {
        return file;
    }

    public HostTensor input(String name) {
        return tensor("in." + name);
    }

    public HostTensor expected(String name) {
        return tensor("out." + name);
    }

    public boolean hasTensor(String fullName) {
        return open().contains(fullName);
    }

    /** A tensor of the case file by its full name ({@code in.x} or {@code out.x}). */
    public HostTensor tensor(String fullName) {
        return open().read(fullName);
    }

    private synchronized SafetensorsFile open() {
        if (tensors == null) {
            tensors = SafetensorsFile.open(file);
        }
        return tensors;
    }

    @Override
    public synchronized void close() {
        if (tensors != null) {
            tensors.close();
            tensors = null;
        }
    }

    @Override
    public String toString() {
        return id;
    }
}
