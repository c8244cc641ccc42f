package org.diffij.models.clip;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diffij.DiffijException;
import org.diffij.io.Json;
import org.diffij.models.ConfigReader;

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

    /** Token table rows accepted (CLIP has 49,408; multilingual tokenizers reach 250,000). */
    public static final int MAX_VOCABULARY = 1 << 20;
    /** Encoder layers accepted (the largest CLIP has 48). */
    public static final int MAX_LAYERS = 256;
    /** Positions accepted (CLIP has 77; long-context variants 248). */
    public static final int MAX_POSITIONS = 4096;

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
        ConfigReader top = new ConfigReader(json, source);
        boolean nested = json.has("text_config") && json.get("text_config").isJsonObject();
        ConfigReader c = nested ? new ConfigReader(json.getAsJsonObject("text_config"), source + " text_config") : top;
        boolean withProjection = json.has("architectures") && json.get("architectures").isJsonArray()
                && !json.getAsJsonArray("architectures").isEmpty()
                && top.strings("architectures").contains("CLIPTextModelWithProjection");
        int hidden = c.integer("hidden_size", 512, 1, ConfigReader.MAX_WIDTH);
        int heads = c.integer("num_attention_heads", 8, 1, ConfigReader.MAX_WIDTH);
        c.require(hidden % heads == 0, "\"hidden_size\" " + hidden + " is not divisible by \"num_attention_heads\" "
                + heads);
        String act = c.has("hidden_act") ? c.string("hidden_act") : "quick_gelu";
        c.requireOneOf("hidden_act", "quick_gelu", "gelu");
        ClipTextConfig config = new ClipTextConfig(c.integer("vocab_size", 49408, 1, MAX_VOCABULARY), hidden,
                c.integer("intermediate_size", 2048, 1, 8 * ConfigReader.MAX_WIDTH), c.integer("num_hidden_layers", 12,
                        1, MAX_LAYERS), heads, c.integer("max_position_embeddings", 77, 2, MAX_POSITIONS), act,
                c.real("layer_norm_eps", 1e-5, Double.MIN_VALUE, 1), c.integer("projection_dim", 512, 1,
                        ConfigReader.MAX_WIDTH), c.integer("eos_token_id", 2, 0, MAX_VOCABULARY), withProjection);
        c.requireFits(config.estimatedParameters());
        return config;
    }

    /** Embedding tables, transformer layers (attention and MLP) and the projection, as float32 values. */
    public double estimatedParameters() {
        double h = hiddenSize;
        return (double) (vocabSize + maxPositionEmbeddings) * h
                + numHiddenLayers * (4 * h * h + 2 * h * intermediateSize) + h * projectionDim;
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
