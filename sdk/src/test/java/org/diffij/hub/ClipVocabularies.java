package org.diffij.hub;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Synthetic CLIP vocabularies for tests: the 256 byte symbols in CLIP's order (so that "!" is id 0, as in
 * CLIP), the same with {@code </w>}, numbered fillers where CLIP has its merged tokens, and the two special
 * tokens last; {@code merges.txt} with the merges that make "photo" one token.
 */
public final class ClipVocabularies {

    private ClipVocabularies() {
    }

    /** Writes {@code vocab.json} of {@code size} tokens and {@code merges.txt} into the folder. */
    public static Path write(Path folder, int size) throws IOException {
        List<String> symbols = byteSymbols();
        List<String> tokens = new ArrayList<>(symbols);
        symbols.forEach(s -> tokens.add(s + "</w>"));
        List<String> merges = List.of("p h", "ph o", "pho t", "phot o</w>");
        merges.forEach(m -> tokens.add(m.replace(" ", "")));
        while (tokens.size() < size - 2) {
            tokens.add("filler" + tokens.size() + "</w>");
        }
        tokens.add("<|startoftext|>");
        tokens.add("<|endoftext|>");
        JsonObject vocab = new JsonObject();
        for (int i = 0; i < tokens.size(); i++) {
            vocab.addProperty(tokens.get(i), i);
        }
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("vocab.json"), vocab.toString(), StandardCharsets.UTF_8);
        Files.writeString(folder.resolve("merges.txt"), "#version: 0.2\n" + String.join("\n", merges) + "\n",
                StandardCharsets.UTF_8);
        return folder;
    }

    /** The printable stand-ins byte-level BPE gives the 256 bytes, in CLIP's order. */
    private static List<String> byteSymbols() {
        List<Integer> bytes = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            if (b >= '!' && b <= '~' || b >= 0xA1 && b <= 0xAC || b >= 0xAE) {
                bytes.add(b);
            }
        }
        List<Integer> codes = new ArrayList<>(bytes);
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            if (!bytes.contains(b)) {
                bytes.add(b);
                codes.add(256 + extra++);
            }
        }
        return codes.stream().map(Character::toString).toList();
    }
}
