package org.diffij.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonSyntaxException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.diffij.DiffijException;

/** Reads the small JSON files of model folders with errors that name the file. */
public final class Json {

    private Json() {
    }

    public static JsonObject readObject(Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            JsonElement element = JsonParser.parseReader(reader);
            if (!element.isJsonObject()) {
                throw new DiffijException(file + ": expected a JSON object");
            }
            return element.getAsJsonObject();
        } catch (NoSuchFileException e) {
            throw new DiffijException(file + ": no such file");
        } catch (JsonSyntaxException e) {
            throw new DiffijException(file + ": invalid JSON (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new DiffijException(file + ": cannot be read (" + e.getMessage() + ")", e);
        }
    }
}
