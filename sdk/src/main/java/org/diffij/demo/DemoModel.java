package org.diffij.demo;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.diffij.DiffijException;
import org.diffij.text.ClipTokenizer;

/**
 * The demo model's architecture: Stable Diffusion 1.x scaled down to the shapes world, as a standard
 * diffusers folder (model_index.json, scheduler, tokenizer, text_encoder, vae, unet). The VAE
 * downscales by 8 as SD's does (64² images, 8×8×4 latents); the UNet has cross-attention on its
 * 8×8 level and in its middle; the text encoder is a 2-layer CLIP over a vocabulary of the world's
 * words. This class writes the configs and the tokenizer; {@link DemoTraining} writes the weights.
 */
public final class DemoModel {

    /** Every word of the world's captions and of the concept benchmark. */
    public static final List<String> WORDS = List.of("a", "on", "background", "red", "green", "blue", "yellow",
            "orange", "circle", "square", "triangle", "ring", "white", "black", "sks", "photo", "of");

    static final int TEXT_WIDTH = 64;

    private DemoModel() {
    }

    /** Writes the configs and the tokenizer of an untrained demo model into {@code folder}. */
    public static void writeConfigs(Path folder, double vaeScalingFactor) {
        int vocabulary = ClipTokenizer.writeFolder(folder.resolve("tokenizer"), WORDS);
        write(folder.resolve("model_index.json"), modelIndex());
        write(folder.resolve("scheduler/scheduler_config.json"), scheduler());
        write(folder.resolve("text_encoder/config.json"), textEncoder(vocabulary));
        writeVaeConfig(folder, vaeScalingFactor);
        write(folder.resolve("unet/config.json"), unet());
    }

    /** Writes the VAE's config with its latent scaling factor (measured once the VAE is trained). */
    public static void writeVaeConfig(Path folder, double scalingFactor) {
        write(folder.resolve("vae/config.json"), vae(scalingFactor));
    }

    private static JsonObject modelIndex() {
        JsonObject o = new JsonObject();
        o.addProperty("_class_name", "StableDiffusionPipeline");
        o.addProperty("_diffusers_version", "0.30.3");
        o.add("feature_extractor", pair(null, null));
        o.add("image_encoder", pair(null, null));
        o.addProperty("requires_safety_checker", false);
        o.add("safety_checker", pair(null, null));
        o.add("scheduler", pair("diffusers", "PNDMScheduler"));
        o.add("text_encoder", pair("transformers", "CLIPTextModel"));
        o.add("tokenizer", pair("transformers", "CLIPTokenizer"));
        o.add("unet", pair("diffusers", "UNet2DConditionModel"));
        o.add("vae", pair("diffusers", "AutoencoderKL"));
        return o;
    }

    /** SD 1.x's own training schedule and default sampler. */
    private static JsonObject scheduler() {
        JsonObject o = new JsonObject();
        o.addProperty("_class_name", "PNDMScheduler");
        o.addProperty("_diffusers_version", "0.30.3");
        o.addProperty("beta_end", 0.012);
        o.addProperty("beta_schedule", "scaled_linear");
        o.addProperty("beta_start", 0.00085);
        o.addProperty("clip_sample", false);
        o.addProperty("num_train_timesteps", 1000);
        o.addProperty("prediction_type", "epsilon");
        o.addProperty("set_alpha_to_one", false);
        o.addProperty("skip_prk_steps", true);
        o.addProperty("steps_offset", 1);
        o.addProperty("timestep_spacing", "leading");
        o.add("trained_betas", JsonNull.INSTANCE);
        return o;
    }

    private static JsonObject textEncoder(int vocabulary) {
        JsonObject o = new JsonObject();
        JsonArray architectures = new JsonArray();
        architectures.add("CLIPTextModel");
        o.add("architectures", architectures);
        o.addProperty("attention_dropout", 0.0);
        o.addProperty("bos_token_id", vocabulary - 2);
        o.addProperty("eos_token_id", vocabulary - 1);
        o.addProperty("pad_token_id", vocabulary - 1);
        o.addProperty("hidden_act", "quick_gelu");
        o.addProperty("hidden_size", TEXT_WIDTH);
        o.addProperty("initializer_factor", 1.0);
        o.addProperty("initializer_range", 0.02);
        o.addProperty("intermediate_size", 4 * TEXT_WIDTH);
        o.addProperty("layer_norm_eps", 1e-5);
        o.addProperty("max_position_embeddings", 77);
        o.addProperty("model_type", "clip_text_model");
        o.addProperty("num_attention_heads", 4);
        o.addProperty("num_hidden_layers", 2);
        o.addProperty("projection_dim", TEXT_WIDTH);
        o.addProperty("torch_dtype", "float32");
        o.addProperty("vocab_size", vocabulary);
        return o;
    }

    private static JsonObject vae(double scalingFactor) {
        JsonObject o = new JsonObject();
        o.addProperty("_class_name", "AutoencoderKL");
        o.addProperty("_diffusers_version", "0.30.3");
        o.addProperty("act_fn", "silu");
        o.add("block_out_channels", ints(16, 32, 32, 32));
        o.add("down_block_types", repeated("DownEncoderBlock2D", 4));
        o.add("up_block_types", repeated("UpDecoderBlock2D", 4));
        o.addProperty("force_upcast", false);
        o.addProperty("in_channels", 3);
        o.addProperty("out_channels", 3);
        o.addProperty("latent_channels", 4);
        o.addProperty("layers_per_block", 1);
        o.addProperty("mid_block_add_attention", true);
        o.addProperty("norm_num_groups", 8);
        o.addProperty("sample_size", ShapesWorld.SIZE);
        o.addProperty("scaling_factor", scalingFactor);
        o.add("shift_factor", JsonNull.INSTANCE);
        o.add("latents_mean", JsonNull.INSTANCE);
        o.add("latents_std", JsonNull.INSTANCE);
        o.addProperty("use_quant_conv", true);
        o.addProperty("use_post_quant_conv", true);
        return o;
    }

    private static JsonObject unet() {
        JsonObject o = new JsonObject();
        o.addProperty("_class_name", "UNet2DConditionModel");
        o.addProperty("_diffusers_version", "0.30.3");
        o.addProperty("act_fn", "silu");
        o.addProperty("attention_head_dim", 4);
        o.add("block_out_channels", ints(64, 128));
        o.addProperty("center_input_sample", false);
        o.addProperty("cross_attention_dim", TEXT_WIDTH);
        o.add("down_block_types", strings("CrossAttnDownBlock2D", "DownBlock2D"));
        o.addProperty("downsample_padding", 1);
        o.addProperty("flip_sin_to_cos", true);
        o.addProperty("freq_shift", 0);
        o.addProperty("in_channels", 4);
        o.addProperty("layers_per_block", 1);
        o.addProperty("mid_block_scale_factor", 1);
        o.addProperty("mid_block_type", "UNetMidBlock2DCrossAttn");
        o.addProperty("norm_eps", 1e-5);
        o.addProperty("norm_num_groups", 16);
        o.addProperty("out_channels", 4);
        o.addProperty("sample_size", ShapesWorld.SIZE / 8);
        o.add("up_block_types", strings("UpBlock2D", "CrossAttnUpBlock2D"));
        o.addProperty("use_linear_projection", false);
        return o;
    }

    private static JsonArray pair(String library, String className) {
        JsonArray a = new JsonArray();
        if (library == null) {
            a.add(JsonNull.INSTANCE);
            a.add(JsonNull.INSTANCE);
        } else {
            a.add(library);
            a.add(className);
        }
        return a;
    }

    private static JsonArray ints(int... values) {
        JsonArray a = new JsonArray();
        for (int v : values) {
            a.add(v);
        }
        return a;
    }

    private static JsonArray strings(String... values) {
        JsonArray a = new JsonArray();
        for (String v : values) {
            a.add(v);
        }
        return a;
    }

    private static JsonArray repeated(String value, int times) {
        JsonArray a = new JsonArray();
        for (int i = 0; i < times; i++) {
            a.add(value);
        }
        return a;
    }

    private static void write(Path file, JsonObject json) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(json) + "\n",
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new DiffijException(file + ": cannot be written (" + e.getMessage() + ")", e);
        }
    }
}
