package org.diffij.models;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.diffij.DiffijException;
import org.diffij.models.unet.UNet2DConditionConfig;
import org.diffij.models.vae.AutoencoderKLConfig;

/**
 * The full-size Stable Diffusion 1.5 UNet and VAE configs, read from the built-in SD 1.x configs that
 * single-file checkpoints get (the jar's {@value #FOLDER}), so that benchmarks and checkpoints share one copy.
 */
public final class Sd15Configs {

    private static final String FOLDER = "/org/diffij/models/configs/sd1/";

    private Sd15Configs() {
    }

    public static UNet2DConditionConfig unet() {
        return UNet2DConditionConfig.from(json("unet/config.json"), FOLDER + "unet/config.json");
    }

    public static AutoencoderKLConfig vae() {
        return AutoencoderKLConfig.from(json("vae/config.json"), FOLDER + "vae/config.json");
    }

    private static JsonObject json(String relative) {
        try (InputStream in = Sd15Configs.class.getResourceAsStream(FOLDER + relative)) {
            if (in == null) {
                throw new DiffijException("Diffij's jar lacks its built-in SD 1.x config " + FOLDER + relative
                        + ": reinstall Diffij");
            }
            return JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException e) {
            throw new DiffijException("the built-in SD 1.x config " + FOLDER + relative + " cannot be read from "
                    + "Diffij's jar (" + e.getMessage() + ")", e);
        }
    }
}
