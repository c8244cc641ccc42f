package org.diffij.parity.areas;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.diffij.engine.DiffijEngine;
import org.diffij.engine.Tensors;
import org.diffij.io.HostTensor;
import org.diffij.io.Json;
import org.diffij.models.checkpoint.SingleFileCheckpoint;
import org.diffij.models.unet.UNet2DConditionConfig;
import org.diffij.models.unet.UNet2DConditionModel;
import org.diffij.models.vae.AutoencoderKL;
import org.diffij.models.vae.AutoencoderKLConfig;
import org.diffij.parity.AreaRunner;
import org.diffij.parity.GoldenCase;
import org.diffij.models.clip.ClipTextConfig;
import org.diffij.models.clip.ClipTextModel;

/**
 * The {@code single_file} golden area: the UNet, VAE and CLIP text encoder loaded from one LDM checkpoint (with the
 * configs of the diffusers folder of the same model, as {@code from_single_file(config=...)}).
 */
public final class SingleFileAreaRunner implements AreaRunner {

    /** The diffusers folder whose configs the reference passed to {@code from_single_file(config=...)}. */
    private static final String CONFIG_MODEL = "tiny-sd15";

    @Override
    public String area() {
        return "single_file";
    }

    @Override
    public Map<String, HostTensor> run(GoldenCase golden) {
        Path file = golden.manifest().root().resolve(golden.params().get("file").getAsString());
        Path configFolder = golden.manifest().modelPath(CONFIG_MODEL);
        DiffijEngine engine = DiffijEngine.get();
        DataType type = engine.computeType();
        String key = "single-file:" + file.toAbsolutePath() + ":" + type + ":";
        return engine.queue().run("single file " + golden.id(), ctx -> {
            UNet2DConditionModel unet = ctx.model(key + "unet", m -> {
                try (SingleFileCheckpoint checkpoint = SingleFileCheckpoint.open(file, configFolder)) {
                    return new UNet2DConditionModel(UNet2DConditionConfig.from(
                            Json.readObject(configFolder.resolve("unet/config.json"))),
                            checkpoint.component("unet"), m, type);
                }
            });
            AutoencoderKL vae = ctx.model(key + "vae", m -> {
                try (SingleFileCheckpoint checkpoint = SingleFileCheckpoint.open(file, configFolder)) {
                    return new AutoencoderKL(AutoencoderKLConfig.from(
                            Json.readObject(configFolder.resolve("vae/config.json"))),
                            checkpoint.component("vae"), m, type);
                }
            });
            ClipTextModel textEncoder = ctx.model(key + "text_encoder", m -> {
                try (SingleFileCheckpoint checkpoint = SingleFileCheckpoint.open(file, configFolder)) {
                    return ClipTextModel.load(ClipTextConfig.read(configFolder.resolve("text_encoder/config.json")),
                            checkpoint.component("text_encoder"), m, type);
                }
            });
            NDManager m = ctx.manager();
            Map<String, HostTensor> out = new HashMap<>();
            out.put("noise_pred", Tensors.toHost(unet.forward(Tensors.toNDArray(m, golden.input("sample"), type),
                    Tensors.toNDArray(m, golden.input("timestep"), type),
                    Tensors.toNDArray(m, golden.input("encoder_hidden_states"), type))));
            out.put("decoded", Tensors.toHost(vae.decode(Tensors.toNDArray(m, golden.input("sample"), type))));
            out.put("last_hidden_state", Tensors.toHost(textEncoder.forward(
                    Tensors.toNDArray(m, golden.input("input_ids"), type)).lastHiddenState()));
            return out;
        });
    }
}
