package org.diffij.parity.areas;

import org.diffij.text.TokenOverlay;
import org.diffij.text.ClipTokenizer;
import org.diffij.text.TextualInversion;
import org.diffij.models.clip.ClipTextOutput;
import org.diffij.models.clip.ClipTextConfig;
import org.diffij.models.clip.ClipTextModel;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diffij.engine.DiffijEngine;
import org.diffij.engine.Tensors;
import org.diffij.io.HostTensor;
import org.diffij.parity.AreaRunner;
import org.diffij.parity.GoldenCase;

/**
 * Golden area {@code textual_inversion}: the case's embedding files loaded in order (each with the
 * placeholder token the case gives it), the prompt expanded and tokenised through the overlay, and
 * the text encoder run with the added rows.
 */
public final class TextualInversionAreaRunner implements AreaRunner {

    @Override
    public String area() {
        return "textual_inversion";
    }

    @Override
    public Map<String, HostTensor> run(GoldenCase golden) {
        JsonObject params = golden.params();
        List<String> tokens = new ArrayList<>();
        for (String token : params.getAsJsonObject("added_token_ids").keySet()) {
            if (!token.matches(".*_\\d+")) {
                tokens.add(token);
            }
        }
        List<TextualInversion> embeddings = new ArrayList<>();
        int i = 0;
        for (JsonElement file : params.getAsJsonArray("files")) {
            Path path = golden.manifest().root().resolve(file.getAsString());
            embeddings.add(TextualInversion.load(path, i < tokens.size() ? tokens.get(i) : null));
            i++;
        }
        String prompt = params.get("prompt").getAsString();
        Path model = golden.modelPath();
        return DiffijEngine.get().queue().run("textual_inversion parity " + golden.id(), ctx -> {
            NDManager manager = ctx.manager();
            DataType dtype = ctx.engine().computeType();
            ClipTextModel encoder = ClipTextModel.load(model.resolve("text_encoder"), manager, dtype);
            ClipTextConfig config = encoder.config();
            TokenOverlay overlay = TokenOverlay.of(ClipTokenizer.load(model.resolve("tokenizer")), config.vocabSize(),
                    config.hiddenSize(), 0, embeddings);
            NDArray ids = TextEncoding.ids(manager, overlay.tokenizer(), List.of(overlay.expand(prompt)));
            ClipTextOutput out = encoder.forward(ids, overlay.rows(manager));
            Map<String, HostTensor> result = new LinkedHashMap<>();
            result.put("input_ids", Tensors.toHost(ids));
            result.put("last_hidden_state", Tensors.toHost(out.lastHiddenState()));
            result.put("hidden_states_m2", Tensors.toHost(out.hiddenState(-2)));
            result.put("new_embedding_rows", HostTensor.ofFloats(overlay.rowValues(), overlay.rowCount(),
                    config.hiddenSize()));
            return result;
        });
    }
}
