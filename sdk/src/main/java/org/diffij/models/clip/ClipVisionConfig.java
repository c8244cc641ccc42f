package org.diffij.models.clip;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diffij.DiffijException;
import org.diffij.io.Json;

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
        JsonObject c = json.has("vision_config") && json.get("vision_config").isJsonObject()
                ? json.getAsJsonObject("vision_config") : json;
        int projection = intOr(c, "projection_dim", intOr(json, "projection_dim", 512));
        try {
            ClipEncoder.Config encoder = new ClipEncoder.Config(intOr(c, "hidden_size", 768),
                    intOr(c, "intermediate_size", 3072), intOr(c, "num_hidden_layers", 12),
                    intOr(c, "num_attention_heads", 12),
                    c.has("hidden_act") ? c.get("hidden_act").getAsString() : "quick_gelu",
                    c.has("layer_norm_eps") ? c.get("layer_norm_eps").getAsDouble() : 1e-5);
            return new ClipVisionConfig(encoder, intOr(c, "image_size", 224), intOr(c, "patch_size", 32),
                    intOr(c, "num_channels", 3), projection);
        } catch (DiffijException e) {
            throw new DiffijException(source + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new DiffijException(source + ": not a CLIP vision config (" + e.getMessage() + ")", e);
        }
    }

    private static int intOr(JsonObject json, String key, int fallback) {
        JsonElement value = json.get(key);
        return value == null || value.isJsonNull() ? fallback : value.getAsInt();
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
