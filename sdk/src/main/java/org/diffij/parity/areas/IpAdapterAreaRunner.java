package org.diffij.parity.areas;

import org.diffij.models.clip.ClipVisionOutput;
import org.diffij.models.clip.ClipVisionModelWithProjection;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.diffij.DiffijException;
import org.diffij.engine.DiffijEngine;
import org.diffij.engine.JobContext;
import org.diffij.engine.Tensors;
import org.diffij.io.HostTensor;
import org.diffij.models.clip.ClipVisionModelWithProjection;
import org.diffij.models.clip.ClipVisionOutput;
import org.diffij.models.ipadapter.IpAdapter;
import org.diffij.models.unet.UNet2DConditionModel;
import org.diffij.nn.DecoupledCrossAttention;
import org.diffij.parity.AreaRunner;
import org.diffij.parity.GoldenCase;

/**
 * The {@code ip_adapter} golden area: the CLIP image encoder and the adapter's image projection
 * ({@code image_encoder_and_projection}), and the cached base UNet with the adapter's image
 * attention at the case's scale and at 1.0 ({@code unet_scale*}).
 */
public final class IpAdapterAreaRunner implements AreaRunner {

    /** Where the h94/IP-Adapter layout keeps the SD1.5 adapter. */
    private static final String ADAPTER_FILE = "models/ip-adapter_sd15.safetensors";

    @Override
    public String area() {
        return "ip_adapter";
    }

    @Override
    public Map<String, HostTensor> run(GoldenCase golden) {
        // The case's model is the adapter alone, or "base+adapter".
        String[] models = golden.model().split("\\+");
        Path adapterFile = golden.manifest().modelPath(models[models.length - 1]).resolve(ADAPTER_FILE);
        DiffijEngine engine = DiffijEngine.get();
        DataType type = engine.computeType();
        return engine.queue().run("ip_adapter " + golden.id(), ctx -> {
            IpAdapter adapter = IpAdapter.cached(ctx, adapterFile);
            if (golden.inputNames().contains("pixel_values")) {
                return encoderAndProjection(golden, ctx, adapter, IpAdapter.imageEncoderFolder(adapterFile), type);
            }
            if (golden.inputNames().contains("sample")) {
                return unet(golden, ctx, adapter, golden.manifest().modelPath(models[0]).resolve("unet"), type);
            }
            throw new DiffijException("case " + golden.id() + " has neither pixel_values nor a UNet sample");
        });
    }

    private static Map<String, HostTensor> encoderAndProjection(GoldenCase golden, JobContext ctx, IpAdapter adapter,
            Path encoderFolder, DataType type) {
        ClipVisionModelWithProjection encoder = ClipVisionModelWithProjection.cached(ctx, encoderFolder);
        ClipVisionOutput out = encoder.forward(Tensors.toNDArray(ctx.manager(), golden.input("pixel_values"), type));
        return Map.of("image_embeds", Tensors.toHost(out.imageEmbeds()),
                "last_hidden_state", Tensors.toHost(out.lastHiddenState()),
                "hidden_states_m2", Tensors.toHost(out.hiddenState(-2)),
                "ip_tokens", Tensors.toHost(adapter.imageTokens(out.imageEmbeds())));
    }

    private static Map<String, HostTensor> unet(GoldenCase golden, JobContext ctx, IpAdapter adapter, Path unetFolder,
            DataType type) {
        UNet2DConditionModel unet = UNet2DConditionModel.cached(ctx, unetFolder);
        NDManager m = ctx.manager();
        NDArray sample = Tensors.toNDArray(m, golden.input("sample"), type);
        NDArray timestep = Tensors.toNDArray(m, golden.input("timestep"), type);
        NDArray context = Tensors.toNDArray(m, golden.input("encoder_hidden_states"), type);
        NDArray tokens = adapter.imageTokens(Tensors.toNDArray(m, golden.input("image_embeds"), type));
        float scale = golden.params().get("ip_adapter_scale").getAsFloat();
        Map<String, Float> scales = Map.of("noise_pred", scale, "noise_pred_scale1p0", 1f);
        Map<String, HostTensor> out = new HashMap<>();
        for (Map.Entry<String, Float> s : scales.entrySet()) {
            var branches = adapter.branches(unet.config(), tokens, s.getValue());
            out.put(s.getKey(), Tensors.toHost(DecoupledCrossAttention.applying(branches,
                    () -> unet.forward(sample, timestep, context))));
        }
        return out;
    }
}
