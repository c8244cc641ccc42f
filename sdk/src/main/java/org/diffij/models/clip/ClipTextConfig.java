package org.diffij.models.clip;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diffij.DiffijException;
import org.diffij.io.Json;

/**
 * The {@code config.json} of a transformers CLIP text encoder ({@code text_encoder/},
 * {@code text_encoder_2/}). {@code withProjection} is true for {@code CLIPTextModelWithProjection}
 * (SDXL's second encoder), whose pooled output goes through {@code text_projection}.
 * {@code eosTokenId} 2 is the legacy value of the original checkpoints: the pooled output is then
 * taken at the highest id of each row, which is the first {@code <|endoftext|>}.
 */
public record ClipTextConfig(int vocabSize, int hiddenSize, int intermediateSize, int numHiddenLayers,
        int numAttentionHeads, int maxPositionEmbeddings, String hiddenAct, double layerNormEps, int projectionDim,
        int eosTokenId, boolean withProjection) {

    public ClipTextConfig {
        if (vocabSize < 1 || hiddenSize < 1 || intermediateSize < 1 || numHiddenLayers < 1 || numAttentionHeads < 1
                || maxPositionEmbeddings < 2 || (withProjection && projectionDim < 1)) {
            throw new DiffijException("CLIP text config has a size below 1 (vocab " + vocabSize + ", hidden "
                    + hiddenSize + ", intermediate " + intermediateSize + ", layers " + numHiddenLayers + ", heads "
                    + numAttentionHeads + ", positions " + maxPositionEmbeddings + ", projection " + projectionDim + ")");
        }
        if (hiddenSize % numAttentionHeads != 0) {
            throw new DiffijException("CLIP text config: hidden_size " + hiddenSize
                    + " is not divisible by num_attention_heads " + numAttentionHeads);
        }
        if (!hiddenAct.equals("quick_gelu") && !hiddenAct.equals("gelu")) {
            throw new DiffijException("CLIP text config: hidden_act '" + hiddenAct
                    + "' is not supported (quick_gelu or gelu)");
        }
    }

    /** SD1.5's text encoder (openai/clip-vit-large-patch14 text tower). */
    public static ClipTextConfig sd15() {
        return new ClipTextConfig(49408, 768, 3072, 12, 12, 77, "quick_gelu", 1e-5, 768, 2, false);
    }

    public static ClipTextConfig read(Path configFile) {
        if (!Files.isRegularFile(configFile)) {
            throw new DiffijException(configFile + ": missing; a text encoder folder needs its config.json");
        }
        return fromJson(Json.readObject(configFile), configFile.toString());
    }

    public static ClipTextConfig fromJson(JsonObject json, String source) {
        JsonObject c = json.has("text_config") && json.get("text_config").isJsonObject()
                ? json.getAsJsonObject("text_config") : json;
        boolean withProjection = false;
        JsonElement architectures = json.get("architectures");
        if (architectures != null && architectures.isJsonArray()) {
            for (JsonElement a : architectures.getAsJsonArray()) {
                withProjection |= a.getAsString().equals("CLIPTextModelWithProjection");
            }
        }
        try {
            return new ClipTextConfig(intOr(c, "vocab_size", 49408), intOr(c, "hidden_size", 512),
                    intOr(c, "intermediate_size", 2048), intOr(c, "num_hidden_layers", 12),
                    intOr(c, "num_attention_heads", 8), intOr(c, "max_position_embeddings", 77),
                    c.has("hidden_act") ? c.get("hidden_act").getAsString() : "quick_gelu",
                    c.has("layer_norm_eps") ? c.get("layer_norm_eps").getAsDouble() : 1e-5,
                    intOr(c, "projection_dim", 512), intOr(c, "eos_token_id", 2), withProjection);
        } catch (DiffijException e) {
            throw new DiffijException(source + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new DiffijException(source + ": not a CLIP text config (" + e.getMessage() + ")", e);
        }
    }

    private static int intOr(JsonObject json, String key, int fallback) {
        JsonElement value = json.get(key);
        return value == null || value.isJsonNull() ? fallback : value.getAsInt();
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /** The transformer encoder's part of this config. */
    public ClipEncoder.Config encoder() {
        return new ClipEncoder.Config(hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads, hiddenAct,
                layerNormEps);
    }

    /** Whether the pooled output sits at each row's highest id (legacy configs) or at the first end token. */
    public boolean poolsAtHighestId() {
        return eosTokenId == 2;
    }
}
