package org.diffij.parity.areas;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.diffij.engine.DiffijEngine;
import org.diffij.engine.Tensors;
import org.diffij.io.HostTensor;
import org.diffij.models.controlnet.ControlNetModel;
import org.diffij.models.unet.ControlResiduals;
import org.diffij.models.unet.UNet2DConditionModel;
import org.diffij.parity.AreaRunner;
import org.diffij.parity.GoldenCase;

/**
 * The {@code controlnet} golden area: the residuals of the ControlNet (model name before {@code +})
 * at the case's conditioning scale, and the prediction of the base UNet (after {@code +}) with them.
 */
public final class ControlNetAreaRunner implements AreaRunner {

    @Override
    public String area() {
        return "controlnet";
    }

    @Override
    public Map<String, HostTensor> run(GoldenCase golden) {
        String[] models = golden.model().split("\\+");
        Path controlFolder = golden.manifest().modelPath(models[0]);
        Path unetFolder = golden.manifest().modelPath(models[1]).resolve("unet");
        float scale = golden.params().get("conditioning_scale").getAsFloat();
        DiffijEngine engine = DiffijEngine.get();
        DataType type = engine.computeType();
        return engine.queue().run("controlnet " + golden.id(), ctx -> {
            ControlNetModel controlNet = ControlNetModel.cached(ctx, controlFolder);
            UNet2DConditionModel unet = UNet2DConditionModel.cached(ctx, unetFolder);
            NDManager m = ctx.manager();
            NDArray sample = Tensors.toNDArray(m, golden.input("sample"), type);
            NDArray timestep = Tensors.toNDArray(m, golden.input("timestep"), type);
            NDArray context = Tensors.toNDArray(m, golden.input("encoder_hidden_states"), type);
            NDArray cond = Tensors.toNDArray(m, golden.input("controlnet_cond"), type);
            ControlResiduals residuals = controlNet.forward(sample, timestep, context, cond, scale, null);
            Map<String, HostTensor> out = new HashMap<>();
            for (int i = 0; i < residuals.down().size(); i++) {
                String name = String.format(Locale.ROOT, "down_block_res_sample_%02d", i);
                if (golden.outputNames().contains(name)) {
                    out.put(name, Tensors.toHost(residuals.down().get(i)));
                }
            }
            out.put("mid_block_res_sample", Tensors.toHost(residuals.mid()));
            out.put("unet_noise_pred", Tensors.toHost(unet.forward(sample, timestep, context, null, residuals)));
            return out;
        });
    }
}
