package org.diffij.models.clip;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diffij.DiffijException;
import org.diffij.io.Json;
import org.diffij.models.ConfigReader;

/**
 * The {@code config.json} of a transformers CLIP vision tower ({@code CLIPVisionModelWithProjection},
 * an IP-Adapter's {@code image_encoder/}); defaults are transformers' {@code CLIPVisionConfig}'s.
 */
public record ClipVisionConfig(ClipEncoder.Config encoder, int imageSize, int patchSize, int numChannels,
        int projectionDim) {

    public ClipVisionConfig {
        if (imageSize < 1 || patchSize < 1 || numChannels < 1 || projectionDim < 1) {
            throw new DiffijException("CLIP vision config has a size below 1 (image " + imageSize + ", patch "
                    + patchSize + ", channels " + numChannels + ", projection " + projectionDim + ")");
        }
        if (imageSize % patchSize != 0) {
            throw new DiffijException("CLIP vision config: image_size " + imageSize
                    + " is not a multiple of patch_size " + patchSize);
        }
    }

    public static ClipVisionConfig read(Path configFile) {
        if (!Files.isRegularFile(configFile)) {
            throw new DiffijException(configFile + ": missing; an image encoder folder needs its config.json");
        }
        return fromJson(Json.readObject(configFile), configFile.toString());
    }

    /** A vision config, or the {@code vision_config} of a whole CLIP config. */
    public static ClipVisionConfig fromJson(JsonObject json, String source) {
        ConfigReader top = new ConfigReader(json, source);
        boolean nested = json.has("vision_config") && json.get("vision_config").isJsonObject();
        ConfigReader c = nested ? new ConfigReader(json.getAsJsonObject("vision_config"), source + " vision_config")
                : top;
        int projection = c.integer("projection_dim", top.integer("projection_dim", 512, 1, ConfigReader.MAX_WIDTH), 1,
                ConfigReader.MAX_WIDTH);
        int hidden = c.integer("hidden_size", 768, 1, ConfigReader.MAX_WIDTH);
        int heads = c.integer("num_attention_heads", 12, 1, ConfigReader.MAX_WIDTH);
        c.require(hidden % heads == 0, "\"hidden_size\" " + hidden + " is not divisible by \"num_attention_heads\" "
                + heads);
        c.requireOneOf("hidden_act", "quick_gelu", "gelu");
        ClipEncoder.Config encoder = new ClipEncoder.Config(hidden,
                c.integer("intermediate_size", 3072, 1, 8 * ConfigReader.MAX_WIDTH),
                c.integer("num_hidden_layers", 12, 1, ClipTextConfig.MAX_LAYERS), heads,
                c.has("hidden_act") ? c.string("hidden_act") : "quick_gelu",
                c.real("layer_norm_eps", 1e-5, Double.MIN_VALUE, 1));
        int imageSize = c.integer("image_size", 224, 1, 4096);
        int patchSize = c.integer("patch_size", 32, 1, 4096);
        c.require(imageSize % patchSize == 0, "\"image_size\" " + imageSize + " is not a multiple of \"patch_size\" "
                + patchSize);
        ClipVisionConfig config = new ClipVisionConfig(encoder, imageSize, patchSize,
                c.integer("num_channels", 3, 1, 16), projection);
        double h = hidden;
        c.requireFits(encoder.numHiddenLayers() * (4 * h * h + 2 * h * encoder.intermediateSize())
                + (double) config.numPositions() * h + (double) patchSize * patchSize * config.numChannels() * h
                + h * projection);
        return config;
    }

    /** Patches per side. */
    public int gridSize() {
        return imageSize / patchSize;
    }

    /** Positions: the class token and one per patch. */
    public int numPositions() {
        return gridSize() * gridSize() + 1;
    }
}
