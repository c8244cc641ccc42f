package org.diffij.text;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.diffij.DiffijException;
import org.diffij.io.Json;

/**
 * The CLIP tokenizer of a diffusers {@code tokenizer/} folder, giving the ids of transformers'
 * {@code CLIPTokenizer}: added tokens (the special tokens, and textual-inversion tokens) are cut
 * out of the raw text first; each remaining piece is repaired ({@link TextFixer}), whitespace runs
 * collapse to one space, it is trimmed and lower-cased, split by CLIP's word pattern and
 * byte-pair encoded. Sequences are framed by {@code <|startoftext|>} and {@code <|endoftext|>}.
 * Instances are immutable; {@link #withAddedTokens} and {@link #withWordTokens} give an overlay for
 * one request that shares the vocabulary and merge cache.
 */
public final class ClipTokenizer {

    /** How raw text is cleaned before the word split. */
    public enum Normalization {
        /** ftfy-style repair, whitespace collapse, lower case: transformers with ftfy installed (the reference). */
        FIX_TEXT,
        /** BERT's basic normalisation: transformers when ftfy is missing. */
        BASIC
    }

    public static final String START_OF_TEXT = "<|startoftext|>";
    public static final String END_OF_TEXT = "<|endoftext|>";

    private static final Pattern WHITESPACE = Pattern.compile("[\\p{IsWhite_Space}\\x1c-\\x1f]+");
    private static final Pattern WORDS = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|\\p{L}+|\\p{N}|[^\\p{IsWhite_Space}\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);

    private final ClipBpe bpe;
    private final int startId;
    private final int endId;
    private final int padId;
    private final int maxLength;
    /** Tokens matched literally in the raw text, longest first where they overlap. */
    private final Map<String, Integer> addedTokens;
    private final Normalization normalization;
    /** Words replaced after tokenisation, A1111's way of triggering embeddings: longest first. */
    private final List<WordToken> wordTokens;

    /** A word's ids as the tokenizer produces them, and the ids that replace them. */
    private record WordToken(String word, int[] wordIds, int[] ids) {
    }

    private ClipTokenizer(ClipBpe bpe, int padId, int maxLength, Map<String, Integer> addedTokens,
            Normalization normalization, List<WordToken> wordTokens) {
        this.bpe = bpe;
        this.normalization = normalization;
        this.wordTokens = List.copyOf(wordTokens);
        this.startId = bpe.id(START_OF_TEXT);
        this.endId = bpe.id(END_OF_TEXT);
        this.padId = padId;
        this.maxLength = maxLength;
        this.addedTokens = Collections.unmodifiableMap(addedTokens);
    }

    /**
     * Writes a tokenizer folder that transformers' {@code CLIPTokenizer} and {@link #load} read, for
     * a closed set of lower-case words (the demo model's world): {@code vocab.json}, {@code merges.txt},
     * {@code special_tokens_map.json} and {@code tokenizer_config.json}. Returns the vocabulary size.
     */
    public static int writeFolder(Path folder, List<String> words) {
        Map.Entry<Map<String, Integer>, List<String>> built = ClipBpe.forWords(words, List.of(START_OF_TEXT,
                END_OF_TEXT));
        Map<String, Integer> vocab = built.getKey();
        JsonObject vocabJson = new JsonObject();
        vocab.forEach(vocabJson::addProperty);
        StringBuilder merges = new StringBuilder("#version: 0.2\n");
        built.getValue().forEach(line -> merges.append(line).append('\n'));
        JsonObject specials = new JsonObject();
        specials.addProperty("bos_token", START_OF_TEXT);
        specials.addProperty("eos_token", END_OF_TEXT);
        specials.addProperty("pad_token", END_OF_TEXT);
        specials.addProperty("unk_token", END_OF_TEXT);
        JsonObject config = specials.deepCopy();
        config.addProperty("model_max_length", 77);
        config.addProperty("tokenizer_class", "CLIPTokenizer");
        config.addProperty("clean_up_tokenization_spaces", true);
        config.addProperty("errors", "replace");
        try {
            Files.createDirectories(folder);
            Files.writeString(folder.resolve("vocab.json"), vocabJson.toString(), StandardCharsets.UTF_8);
            Files.writeString(folder.resolve("merges.txt"), merges, StandardCharsets.UTF_8);
            Files.writeString(folder.resolve("special_tokens_map.json"), specials.toString(), StandardCharsets.UTF_8);
            Files.writeString(folder.resolve("tokenizer_config.json"), config.toString(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new DiffijException(folder + ": the tokenizer cannot be written (" + e.getMessage() + ")", e);
        }
        return vocab.size();
    }

    /** Reads {@code vocab.json}, {@code merges.txt} and the pad token and length of a tokenizer folder. */
    public static ClipTokenizer load(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new DiffijException(folder + ": no such tokenizer folder");
        }
        try {
            return read(folder);
        } catch (ClassCastException | IllegalStateException | UnsupportedOperationException | NumberFormatException e) {
            // Gson's typed getters signal a value of the wrong JSON type with these; the files are hand-editable.
            throw new DiffijException(folder + ": a tokenizer file (vocab.json, tokenizer_config.json or "
                    + "special_tokens_map.json) holds a value of the wrong type (a list or object where a name or "
                    + "number belongs); replace the folder with the model's own tokenizer", e);
        }
    }

    private static ClipTokenizer read(Path folder) {
        ClipBpe bpe = ClipBpe.load(folder);
        for (String special : List.of(START_OF_TEXT, END_OF_TEXT)) {
            if (bpe.id(special) == null) {
                throw new DiffijException(folder.resolve("vocab.json") + ": lacks " + special
                        + "; it is not a CLIP vocabulary");
            }
        }
        JsonObject config = readIfPresent(folder.resolve("tokenizer_config.json"));
        JsonObject specialMap = readIfPresent(folder.resolve("special_tokens_map.json"));
        String pad = tokenText(specialMap.get("pad_token"));
        if (pad == null) {
            pad = tokenText(config.get("pad_token"));
        }
        if (pad == null) {
            pad = END_OF_TEXT;
        }
        Integer padId = bpe.id(pad);
        if (padId == null) {
            throw new DiffijException(folder + ": the pad token '" + pad + "' is not in vocab.json");
        }
        int maxLength = config.has("model_max_length") && config.get("model_max_length").getAsDouble() < 1e6
                ? config.get("model_max_length").getAsInt() : 77;
        return new ClipTokenizer(bpe, padId, maxLength, literalTokens(folder, bpe, config, specialMap),
                Normalization.FIX_TEXT, List.of());
    }

    /**
     * The tokens matched literally in raw text: those of {@code added_tokens_decoder} when the config
     * has it, else the special tokens of {@code special_tokens_map.json}. A pad token such as
     * {@code !} is one of them, so {@code "!!"} becomes two pad ids, as in transformers.
     */
    private static Map<String, Integer> literalTokens(Path folder, ClipBpe bpe, JsonObject config,
            JsonObject specialMap) {
        Map<String, Integer> added = new LinkedHashMap<>();
        added.put(START_OF_TEXT, bpe.id(START_OF_TEXT));
        added.put(END_OF_TEXT, bpe.id(END_OF_TEXT));
        JsonObject decoder = config.getAsJsonObject("added_tokens_decoder");
        if (decoder != null) {
            for (Map.Entry<String, JsonElement> entry : decoder.entrySet()) {
                added.put(tokenText(entry.getValue()), Integer.parseInt(entry.getKey()));
            }
            return added;
        }
        for (String role : List.of("bos_token", "eos_token", "unk_token", "pad_token")) {
            String token = tokenText(specialMap.get(role));
            if (token != null) {
                Integer id = bpe.id(token);
                if (id == null) {
                    throw new DiffijException(folder + ": the " + role + " '" + token + "' is not in vocab.json");
                }
                added.put(token, id);
            }
        }
        return added;
    }

    private static JsonObject readIfPresent(Path file) {
        return Files.isRegularFile(file) ? Json.readObject(file) : new JsonObject();
    }

    private static String tokenText(JsonElement token) {
        if (token == null || token.isJsonNull()) {
            return null;
        }
        if (token.isJsonObject()) {
            return token.getAsJsonObject().get("content").getAsString();
        }
        return token.getAsString();
    }

    /**
     * This tokenizer plus literal tokens with the given ids (textual-inversion placeholders); the
     * receiver is unchanged.
     */
    public ClipTokenizer withAddedTokens(Map<String, Integer> tokens) {
        Map<String, Integer> added = new LinkedHashMap<>(addedTokens);
        for (Map.Entry<String, Integer> token : tokens.entrySet()) {
            if (token.getKey().isEmpty()) {
                throw new DiffijException("an added token cannot be empty");
            }
            if (added.containsKey(token.getKey()) || bpe.id(token.getKey()) != null) {
                throw new DiffijException("the token '" + token.getKey() + "' is already in the vocabulary; "
                        + "choose another placeholder token for the embedding");
            }
            added.put(token.getKey(), token.getValue());
        }
        return new ClipTokenizer(bpe, padId, maxLength, added, normalization, wordTokens);
    }

    /**
     * This tokenizer plus words that become the given ids wherever their tokens appear, whatever
     * their case and only as whole words (A1111 triggers embeddings such as {@code bad-hands-5}
     * this way); the receiver is unchanged.
     */
    public ClipTokenizer withWordTokens(Map<String, int[]> words) {
        List<WordToken> all = new ArrayList<>(wordTokens);
        for (Map.Entry<String, int[]> word : words.entrySet()) {
            int[] wordIds = tokenize(word.getKey());
            if (wordIds.length == 0) {
                throw new DiffijException("the word '" + word.getKey() + "' has no tokens and cannot name an embedding");
            }
            if (all.stream().anyMatch(w -> Arrays.equals(w.wordIds(), wordIds))) {
                throw new DiffijException("two embeddings are named '" + word.getKey() + "'; rename one of the files");
            }
            all.add(new WordToken(word.getKey(), wordIds, word.getValue().clone()));
        }
        all.sort((a, b) -> b.wordIds().length - a.wordIds().length);
        return new ClipTokenizer(bpe, padId, maxLength, addedTokens, normalization, all);
    }

    /** This tokenizer with another text normalisation. */
    public ClipTokenizer withNormalization(Normalization other) {
        return new ClipTokenizer(bpe, padId, maxLength, addedTokens, other, wordTokens);
    }

    /** The number of ids: the vocabulary plus added tokens. */
    public int size() {
        int max = bpe.vocabSize() - 1;
        for (int id : addedTokens.values()) {
            max = Math.max(max, id);
        }
        for (WordToken word : wordTokens) {
            for (int id : word.ids()) {
                max = Math.max(max, id);
            }
        }
        return max + 1;
    }

    /** The number of entries of {@code vocab.json}; ids from here on are added tokens such as embeddings. */
    public int vocabularySize() {
        return bpe.vocabSize();
    }

    public int startId() {
        return startId;
    }

    public int endId() {
        return endId;
    }

    public int padId() {
        return padId;
    }

    /** The model's sequence length, {@code <|startoftext|>} and {@code <|endoftext|>} included (77 for CLIP). */
    public int maxLength() {
        return maxLength;
    }

    /** Whether a literal token such as a textual-inversion placeholder is known. */
    public boolean hasAddedToken(String token) {
        return addedTokens.containsKey(token);
    }

    public Map<String, Integer> addedTokens() {
        return addedTokens;
    }

    /** The ids of the text without start and end tokens, untruncated. */
    public int[] tokenize(String text) {
        IdList ids = new IdList();
        int pos = 0;
        while (pos < text.length()) {
            int matchStart = -1;
            String match = null;
            for (String token : addedTokens.keySet()) {
                int at = text.indexOf(token, pos);
                if (at >= 0 && (matchStart < 0 || at < matchStart
                        || (at == matchStart && token.length() > match.length()))) {
                    matchStart = at;
                    match = token;
                }
            }
            int pieceEnd = matchStart < 0 ? text.length() : matchStart;
            if (pieceEnd > pos) {
                encodePiece(text.substring(pos, pieceEnd), ids);
            }
            if (match == null) {
                break;
            }
            ids.add(addedTokens.get(match));
            pos = matchStart + match.length();
        }
        return wordTokens.isEmpty() ? ids.toArray() : replaceWords(ids.toArray());
    }

    private int[] replaceWords(int[] ids) {
        IdList out = new IdList();
        int i = 0;
        while (i < ids.length) {
            WordToken found = null;
            for (WordToken word : wordTokens) {
                if (startsWith(ids, i, word.wordIds())) {
                    found = word;
                    break;
                }
            }
            if (found == null) {
                out.add(ids[i++]);
            } else {
                out.addAll(found.ids());
                i += found.wordIds().length;
            }
        }
        return out.toArray();
    }

    private static boolean startsWith(int[] ids, int at, int[] prefix) {
        if (at + prefix.length > ids.length) {
            return false;
        }
        for (int j = 0; j < prefix.length; j++) {
            if (ids[at + j] != prefix[j]) {
                return false;
            }
        }
        return true;
    }

    private void encodePiece(String piece, IdList ids) {
        String clean = normalization == Normalization.BASIC ? BasicTextNormalizer.normalize(piece)
                : WHITESPACE.matcher(TextFixer.fix(piece)).replaceAll(" ").strip().toLowerCase(Locale.ROOT);
        Matcher words = WORDS.matcher(clean);
        while (words.find()) {
            String word = words.group();
            if (word.equals(START_OF_TEXT)) {
                ids.add(startId);
            } else if (word.equals(END_OF_TEXT)) {
                ids.add(endId);
            } else {
                ids.addAll(bpe.encodeWord(word));
            }
        }
    }

    /** {@code <|startoftext|>}, the text's ids, {@code <|endoftext|>}: untruncated. */
    public int[] encode(String text) {
        int[] tokens = tokenize(text);
        int[] ids = new int[tokens.length + 2];
        ids[0] = startId;
        System.arraycopy(tokens, 0, ids, 1, tokens.length);
        ids[ids.length - 1] = endId;
        return ids;
    }

    /**
     * The text as the pipelines feed it to the text encoder: start token, at most
     * {@code length - 2} text tokens, end token, padding to {@code length}.
     */
    public TokenizedPrompt encodePadded(String text, int length) {
        if (length < 2) {
            throw new DiffijException("a padded token sequence needs room for the start and end tokens (length >= 2)");
        }
        int[] tokens = tokenize(text);
        int kept = Math.min(tokens.length, length - 2);
        long[] ids = new long[length];
        long[] mask = new long[length];
        Arrays.fill(ids, padId);
        ids[0] = startId;
        for (int i = 0; i < kept; i++) {
            ids[i + 1] = tokens[i];
        }
        ids[kept + 1] = endId;
        Arrays.fill(mask, 0, kept + 2, 1);
        return new TokenizedPrompt(ids, mask, tokens.length + 2);
    }

    public TokenizedPrompt encodePadded(String text) {
        return encodePadded(text, maxLength);
    }

    /** A growable int list, to avoid boxing on the tokenizer's hot path. */
    private static final class IdList {
        private int[] values = new int[32];
        private int size;

        void add(int value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        void addAll(int[] more) {
            for (int v : more) {
                add(v);
            }
        }

        int[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
