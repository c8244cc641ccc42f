package org.diffij.text;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.diffij.DiffijException;
import org.diffij.io.InputFiles;
import org.diffij.io.Json;

/**
 * CLIP's byte-level byte-pair encoding: a word's UTF-8 bytes become printable symbols, the last
 * one marked with {@code </w>}, and the ranked merges of {@code merges.txt} join neighbouring
 * symbols, lowest rank first, until no ranked pair is left; the symbols are then looked up in
 * {@code vocab.json}. Words already seen are answered from a cache.
 */
final class ClipBpe {

    /** Vocabulary ids accepted: far above any BPE vocabulary (CLIP's has 49,408). */
    private static final int MAX_VOCABULARY = 1 << 24;

    static final String END_OF_WORD = "</w>";
    private static final int CACHE_LIMIT = 200_000;

    /** The printable character standing for each byte value (GPT-2's byte alphabet). */
    private static final char[] BYTE_SYMBOLS = byteSymbols();

    private final Map<String, Integer> vocab;
    /** (left id, right id) packed into a long → merge rank in the high half, merged id in the low half. */
    private final Map<Long, Long> merges;
    private final int[] byteIds;
    private final int[] finalByteIds;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    private ClipBpe(Map<String, Integer> vocab, Map<Long, Long> merges) {
        this.vocab = vocab;
        this.merges = merges;
        this.byteIds = new int[256];
        this.finalByteIds = new int[256];
        for (int b = 0; b < 256; b++) {
            String symbol = String.valueOf(BYTE_SYMBOLS[b]);
            byteIds[b] = required(symbol);
            finalByteIds[b] = required(symbol + END_OF_WORD);
        }
    }

    static ClipBpe load(Path folder) {
        Map<String, Integer> vocab = readVocab(folder.resolve("vocab.json"));
        List<String> lines = readLines(folder.resolve("merges.txt"));
        Map<Long, Long> merges = new HashMap<>(lines.size() * 2);
        int rank = 0;
        for (String line : lines) {
            if (line.startsWith("#version") || line.isBlank()) {
                continue;
            }
            int space = line.indexOf(' ');
            if (space <= 0 || space != line.lastIndexOf(' ')) {
                throw new DiffijException(folder.resolve("merges.txt") + ": line '" + line
                        + "' is not a merge of two symbols separated by one space");
            }
            String left = line.substring(0, space);
            String right = line.substring(space + 1);
            Integer leftId = vocab.get(left);
            Integer rightId = vocab.get(right);
            Integer mergedId = vocab.get(left + right);
            if (leftId == null || rightId == null || mergedId == null) {
                throw new DiffijException(folder.resolve("merges.txt") + ": merge '" + line
                        + "' uses a symbol that vocab.json lacks; the two files do not belong together");
            }
            merges.put(pair(leftId, rightId), ((long) rank << 32) | mergedId);
            rank++;
        }
        return new ClipBpe(vocab, merges);
    }

    /**
     * A vocabulary in CLIP's layout for a closed set of lower-case words: the 256 byte symbols, each
     * again with {@code </w>}, the symbols the merges make, then the two specials; each word is merged
     * left to right so that, as far as the words' shared merges allow, it becomes one token. Any other
     * text still encodes, byte symbol by byte symbol. Returns the vocabulary and the merge lines.
     */
    static Map.Entry<Map<String, Integer>, List<String>> forWords(List<String> words, List<String> specials) {
        Map<String, Integer> vocab = new java.util.LinkedHashMap<>();
        List<Integer> order = new java.util.ArrayList<>();
        for (int b = 0; b < 256; b++) {
            order.add(b);
        }
        // CLIP lists the printable bytes first, then the remapped ones, as GPT-2's table orders them.
        order.sort(java.util.Comparator.comparingInt(b -> BYTE_SYMBOLS[b]));
        for (int b : order) {
            vocab.put(String.valueOf(BYTE_SYMBOLS[b]), vocab.size());
        }
        for (int b : order) {
            vocab.put(BYTE_SYMBOLS[b] + END_OF_WORD, vocab.size());
        }
        List<String> merges = new java.util.ArrayList<>();
        for (String word : words) {
            if (word.isEmpty() || !word.chars().allMatch(c -> c >= 'a' && c <= 'z')) {
                throw new IllegalArgumentException("vocabulary words are lower-case ASCII letters, not '" + word + "'");
            }
            String left = word.substring(0, 1);
            for (int i = 1; i < word.length(); i++) {
                String right = word.substring(i, i + 1) + (i == word.length() - 1 ? END_OF_WORD : "");
                String merge = left + " " + right;
                if (!merges.contains(merge)) {
                    merges.add(merge);
                    vocab.putIfAbsent(left + right, vocab.size());
                }
                left = left + right;
            }
        }
        for (String special : specials) {
            vocab.put(special, vocab.size());
        }
        return Map.entry(vocab, merges);
    }

    private static Map<String, Integer> readVocab(Path file) {
        JsonObject json = Json.readObject(file);
        Map<String, Integer> vocab = new HashMap<>(json.size() * 2);
        for (Map.Entry<String, JsonElement> entry : json.entrySet()) {
            JsonElement id = entry.getValue();
            if (!id.isJsonPrimitive() || !id.getAsJsonPrimitive().isNumber() || id.getAsDouble() != id.getAsInt()
                    || id.getAsInt() < 0 || id.getAsInt() >= MAX_VOCABULARY) {
                throw new DiffijException(file + ": the id of '" + entry.getKey() + "' is " + id + "; ids are whole "
                        + "numbers 0.." + (MAX_VOCABULARY - 1));
            }
            vocab.put(entry.getKey(), id.getAsInt());
        }
        return vocab;
    }

    private static List<String> readLines(Path file) {
        String problem = Files.exists(file) ? InputFiles.fileProblem(file) : null;
        if (problem != null) {
            throw new DiffijException(file + ": " + problem);
        }
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new DiffijException(file + ": missing; a CLIP tokenizer folder needs vocab.json and merges.txt");
        } catch (IOException e) {
            throw new DiffijException(InputFiles.describe(file, e), e);
        }
    }

    private int required(String symbol) {
        Integer id = vocab.get(symbol);
        if (id == null) {
            throw new DiffijException("vocab.json lacks the byte symbol '" + symbol
                    + "'; it is not a byte-level BPE vocabulary such as CLIP's");
        }
        return id;
    }

    /** The id of a vocabulary entry, or null. */
    Integer id(String symbol) {
        return vocab.get(symbol);
    }

    int vocabSize() {
        return vocab.size();
    }

    /** The ids of one pre-tokenised word. */
    int[] encodeWord(String word) {
        int[] cached = cache.get(word);
        if (cached != null) {
            return cached;
        }
        int[] ids = merge(word.getBytes(StandardCharsets.UTF_8));
        if (cache.size() >= CACHE_LIMIT) {
            cache.clear();
        }
        cache.put(word, ids);
        return ids;
    }

    private int[] merge(byte[] bytes) {
        int n = bytes.length;
        int[] symbols = new int[n];
        for (int i = 0; i < n; i++) {
            symbols[i] = (i == n - 1 ? finalByteIds : byteIds)[bytes[i] & 0xff];
        }
        while (n > 1) {
            long best = Long.MAX_VALUE;
            for (int i = 0; i + 1 < n; i++) {
                Long merge = merges.get(pair(symbols[i], symbols[i + 1]));
                if (merge != null && merge < best) {
                    best = merge;
                }
            }
            if (best == Long.MAX_VALUE) {
                break;
            }
            int merged = (int) best;
            long rank = best >>> 32;
            int out = 0;
            for (int i = 0; i < n; i++) {
                if (i + 1 < n) {
                    Long merge = merges.get(pair(symbols[i], symbols[i + 1]));
                    if (merge != null && merge >>> 32 == rank) {
                        symbols[out++] = merged;
                        i++;
                        continue;
                    }
                }
                symbols[out++] = symbols[i];
            }
            n = out;
        }
        int[] ids = new int[n];
        System.arraycopy(symbols, 0, ids, 0, n);
        return ids;
    }

    private static long pair(int left, int right) {
        return ((long) left << 32) | (right & 0xffffffffL);
    }

    private static char[] byteSymbols() {
        char[] symbols = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
            symbols[b] = printable ? (char) b : (char) next++;
        }
        return symbols;
    }
}
