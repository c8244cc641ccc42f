package org.diffij.pipelines;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.diffij.DiffijException;
import org.diffij.io.FileKinds;

/**
 * Textual-inversion embeddings called the A1111 way: by writing an embedding file's name (without its
 * extension) in the prompt or the negative prompt, as a whole word in any case. The files are looked
 * for in the model folders and their {@code embeddings/} subfolders; only files whose name the text
 * contains are opened, and only those whose tensors are an embedding's are taken, so a LoRA that
 * happens to share a word of the prompt is left alone.
 */
final class PromptEmbeddings {

    private static final List<String> SUFFIXES = List.of(".safetensors", ".pt", ".bin");

    private PromptEmbeddings() {
    }

    /** The embedding files the texts name, by their token (file name without extension), in folder order. */
    static Map<String, Path> namedIn(List<String> texts, List<Path> folders) {
        String text = String.join("\n", texts).toLowerCase(Locale.ROOT);
        Map<String, Path> found = new LinkedHashMap<>();
        for (Path folder : folders) {
            for (Path place : List.of(folder, folder.resolve("embeddings"))) {
                for (Path file : files(place)) {
                    String token = token(file);
                    if (!found.containsKey(token) && names(text, token.toLowerCase(Locale.ROOT))
                            && isEmbedding(file)) {
                        found.put(token, file);
                    }
                }
            }
        }
        return found;
    }

    private static List<Path> files(Path folder) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(folder)) {
            List<Path> files = new ArrayList<>();
            entries.filter(Files::isRegularFile).sorted()
                    .filter(f -> SUFFIXES.stream().anyMatch(s -> f.getFileName().toString().endsWith(s)))
                    .forEach(files::add);
            return files;
        } catch (IOException e) {
            throw new DiffijException(folder + ": cannot be listed (" + e.getMessage() + ")", e);
        }
    }

    static String token(Path file) {
        return new AdapterFile(new Adapter(Adapter.Kind.EMBEDDING, file.toString(), 1), file).token();
    }

    /** Whether {@code word} stands in {@code text} as a word of its own (the neighbours are no name characters). */
    private static boolean names(String text, String word) {
        return Pattern.compile("(?<![\\p{L}\\p{N}_.-])" + Pattern.quote(word) + "(?![\\p{L}\\p{N}_-])")
                .matcher(text).find();
    }

    private static boolean isEmbedding(Path file) {
        try {
            return FileKinds.of(file).startsWith("textual inversion");
        } catch (DiffijException unreadable) {
            // A damaged or foreign file beside the embeddings is not one; naming it explicitly reports why.
            return false;
        }
    }
}
