package org.diffij.parity;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.diffij.DiffijException;

/** The golden reference set: {@code manifest.json} with its models and cases. */
public final class GoldenManifest {

    private final Path root;
    private final JsonObject json;
    private final List<GoldenCase> cases;

    private GoldenManifest(Path root, JsonObject json) {
        this.root = root;
        this.json = json;
        this.cases = readCases();
    }

    public static GoldenManifest load(Path manifestFile) {
        try (Reader reader = Files.newBufferedReader(manifestFile, StandardCharsets.UTF_8)) {
            JsonElement parsed = JsonParser.parseReader(reader);
            if (!parsed.isJsonObject() || !parsed.getAsJsonObject().has("cases")) {
                throw new DiffijException(manifestFile + ": not a golden manifest (no \"cases\" list)");
            }
            return new GoldenManifest(manifestFile.toAbsolutePath().getParent(), parsed.getAsJsonObject());
        } catch (NoSuchFileException e) {
            throw new DiffijException(manifestFile + ": no such file; the golden data lives in ../shared/golden "
                    + "beside the project root");
        } catch (IOException | RuntimeException e) {
            if (e instanceof DiffijException d) {
                throw d;
            }
            throw new DiffijException(manifestFile + ": cannot be read: " + e.getMessage(), e);
        }
    }

    private List<GoldenCase> readCases() {
        List<GoldenCase> list = new ArrayList<>();
        for (JsonElement element : json.getAsJsonArray("cases")) {
            JsonObject c = element.getAsJsonObject();
            String model = c.has("model") && !c.get("model").isJsonNull() ? c.get("model").getAsString() : null;
            list.add(new GoldenCase(this, c.get("id").getAsString(), c.get("area").getAsString(), model,
                    root.resolve(c.get("file").getAsString()), objectOrEmpty(c, "params"), keys(c, "inputs"),
                    keys(c, "outputs"), objectOrEmpty(c, "tolerance")));
        }
        return List.copyOf(list);
    }

    private static JsonObject objectOrEmpty(JsonObject parent, String key) {
        JsonElement value = parent.get(key);
        return value != null && value.isJsonObject() ? value.getAsJsonObject() : new JsonObject();
    }

    private static List<String> keys(JsonObject parent, String key) {
        JsonElement value = parent.get(key);
        if (value == null || value.isJsonNull()) {
            return List.of();
        }
        if (value.isJsonArray()) {
            List<String> names = new ArrayList<>();
            for (JsonElement e : (JsonArray) value) {
                names.add(e.getAsString());
            }
            return names;
        }
        return List.copyOf(value.getAsJsonObject().keySet());
    }

    public Path root() {
        return root;
    }

    public List<GoldenCase> cases() {
        return cases;
    }

    /** The stored folder or file of a model named in the manifest's {@code models} table. */
    public Path modelPath(String model) {
        JsonObject models = json.getAsJsonObject("models");
        if (models == null || !models.has(model)) {
            throw new DiffijException("the golden manifest lists no model '" + model + "'");
        }
        return root.resolve(models.getAsJsonObject(model).get("path").getAsString());
    }

    /** A model's manifest entry (kind, weight files, ...). */
    public JsonObject modelEntry(String model) {
        return json.getAsJsonObject("models").getAsJsonObject(model);
    }
}
