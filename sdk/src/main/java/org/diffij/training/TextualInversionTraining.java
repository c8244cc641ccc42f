package org.diffij.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diffij.DiffijException;
import org.diffij.engine.Tensors;
import org.diffij.io.HostTensor;
import org.diffij.models.clip.ClipTextModel;
import org.diffij.nn.Autograd;
import org.diffij.pipelines.StableDiffusionModel;
import org.diffij.text.ClipTokenizer;

/**
 * Textual inversion: new token rows appended to the text encoder's embedding table, the only thing
 * trained. A token of {@code n} vectors is {@code n} added tokens ({@code <tok>}, {@code <tok>_1}, ...)
 * that every caption spells out, as diffusers' script does; Adam acting per element, training the new
 * rows alone equals the script's whole-table update with every other row restored.
 */
final class TextualInversionTraining implements TrainingMethod {

    private static final String TABLE = "text_model.embeddings.token_embedding.weight";

    private final String token;
    private final List<String> tokens;
    /** The trained rows by name: {@code new_rows}, or SDXL's {@code clip_l} and {@code clip_g}. */
    private final Map<String, NDArray> rows;
    private final ClipTokenizer tokenizer;
    private final ClipTokenizer tokenizer2;

    private TextualInversionTraining(String token, List<String> tokens, Map<String, NDArray> rows,
            ClipTokenizer tokenizer, ClipTokenizer tokenizer2) {
        this.token = token;
        this.tokens = tokens;
        this.rows = rows;
        this.tokenizer = tokenizer;
        this.tokenizer2 = tokenizer2;
    }

    /**
     * New vectors initialised as A1111 does from the init word's token embeddings (vector {@code i}
     * takes token {@code i * tokens / vectors} of the word); SDXL gets a set per text encoder.
     */
    static TextualInversionTraining create(TrainingRequest request, StableDiffusionModel model, NDManager manager) {
        TrainingRequest.TextualInversionOptions options = request.ti();
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < options.vectors(); i++) {
            tokens.add(i == 0 ? options.token() : options.token() + "_" + i);
        }
        int[] init = model.tokenizer().tokenize(options.initWord());
        if (init.length == 0) {
            throw new DiffijException("init_word '" + options.initWord() + "' has no tokens; give a word such as cat");
        }
        Map<String, NDArray> rows = new LinkedHashMap<>();
        if (model.isXl()) {
            rows.put("clip_l", initialRows(model.textEncoder(), init, options.vectors(), manager));
            rows.put("clip_g", initialRows(model.textEncoder2(), init, options.vectors(), manager));
        } else {
            rows.put("new_rows", initialRows(model.textEncoder(), init, options.vectors(), manager));
        }
        return new TextualInversionTraining(options.token(), List.copyOf(tokens), rows,
                withTokens(model.tokenizer(), tokens, model.textEncoder()),
                model.isXl() ? withTokens(model.tokenizer2(), tokens, model.textEncoder2()) : null);
    }

    private static ClipTokenizer withTokens(ClipTokenizer tokenizer, List<String> tokens, ClipTextModel encoder) {
        Map<String, Integer> added = new LinkedHashMap<>();
        int vocab = encoder.config().vocabSize();
        for (int i = 0; i < tokens.size(); i++) {
            added.put(tokens.get(i), vocab + i);
        }
        return tokenizer.withAddedTokens(added);
    }

    private static NDArray initialRows(ClipTextModel encoder, int[] init, int vectors, NDManager manager) {
        long[] pick = new long[vectors];
        for (int i = 0; i < pick.length; i++) {
            pick[i] = init[i * init.length / pick.length];
        }
        NDArray rows;
        try (NDArray index = manager.create(pick)) {
            rows = encoder.parameters().get(TABLE).get(index).duplicate();
        }
        rows.attach(manager);
        Autograd.requireGradient(rows, true);
        return rows;
    }

    @Override
    public Map<String, NDArray> trained() {
        return rows;
    }

    @Override
    public boolean isTextEncoder(String name) {
        return true;
    }

    @Override
    public DenoisingObjective.Trainables trainables() {
        return rows.containsKey("new_rows") ? new DenoisingObjective.Trainables(null, rows.get("new_rows"))
                : new DenoisingObjective.Trainables(null, rows.get("clip_l"), rows.get("clip_g"));
    }

    @Override
    public ClipTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public ClipTokenizer tokenizer2() {
        return tokenizer2;
    }

    @Override
    public String caption(String caption) {
        if (!caption.contains(token)) {
            throw new DiffijException("the caption '" + caption + "' does not contain the token " + token
                    + "; use a template such as template=[a photo of [name]] or put the token in the captions");
        }
        return caption.replace(token, String.join(" ", tokens));
    }

    @Override
    public List<Path> files(Path output, List<String> formats) {
        return EmbeddingFiles.files(output, formats, tokenizer2 != null);
    }

    @Override
    public List<Path> save(Path output, List<String> formats, TrainingProvenance provenance, boolean overwrite) {
        List<HostTensor> vectors = new ArrayList<>();
        rows.values().forEach(value -> vectors.add(Tensors.toHost(value)));
        return EmbeddingFiles.write(vectors, token, output, formats, provenance, overwrite);
    }
}
