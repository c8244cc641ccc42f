package org.diffij.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.diffij.DiffijException;

/**
 * Reads the small JSON files of model folders (configs, indexes, tokenizer files) with errors that
 * name the file and say in words what is wrong and where (line and column).
 */
public final class Json {

    /** Model JSON files are kilobytes (a tokenizer's vocab.json about 1 MB); more is not one of them. */
    public static final long MAX_BYTES = 64L << 20;
    private static final Pattern POSITION = Pattern.compile("line (\\d+) column (\\d+)");

    private Json() {
    }

    public static JsonObject readObject(Path file) {
        InputFiles.requireFile(file);
        try {
            long size = Files.size(file);
            if (size == 0) {
                throw new DiffijException(file + ": the file is empty; it should hold a JSON object");
            }
            if (size > MAX_BYTES) {
                throw new DiffijException(file + ": " + size + " bytes is far too large for a JSON config (limit "
                        + (MAX_BYTES >> 20) + " MB)");
            }
        } catch (IOException e) {
            throw new DiffijException(InputFiles.describe(file, e), e);
        }
        try (Reader reader = new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8
                .newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT))) {
            JsonElement element = JsonParser.parseReader(reader);
            if (!element.isJsonObject()) {
                throw new DiffijException(file + ": expected a JSON object ({...}), found "
                        + (element.isJsonArray() ? "a list" : element.isJsonNull() ? "null" : "a single value"));
            }
            return element.getAsJsonObject();
        } catch (JsonParseException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof CharacterCodingException) {
                throw new DiffijException(file + ": is not UTF-8 text (invalid byte sequence); JSON files are UTF-8", e);
            }
            if (cause instanceof EOFException) {
                throw new DiffijException(file + ": invalid JSON: the text ends before the JSON is complete"
                        + where(cause.getMessage()) + "; the file is truncated", e);
            }
            throw new DiffijException(file + ": invalid JSON: " + problem(cause) + where(cause.getMessage())
                    + "; fix or replace the file", e);
        } catch (IOException e) {
            throw new DiffijException(InputFiles.describe(file, e), e);
        }
    }

    /** Gson's message reduced to what is wrong, without its exception names and help links. */
    private static String problem(Throwable e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        int at = message.indexOf(" at line ");
        String text = at > 0 ? message.substring(0, at) : message;
        text = text.replaceAll("^[\\w.]+Exception: ", "").replace("Use JsonReader.setStrictness(Strictness.LENIENT) "
                + "to accept malformed JSON", "").strip();
        return text.isEmpty() ? "malformed text" : Character.toLowerCase(text.charAt(0)) + text.substring(1);
    }

    private static String where(String message) {
        Matcher m = POSITION.matcher(message == null ? "" : message);
        return m.find() ? " (line " + m.group(1) + ", column " + m.group(2) + ")" : "";
    }
}
