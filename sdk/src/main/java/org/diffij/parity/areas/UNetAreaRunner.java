package org.diffij.parity.areas;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.Map;
import org.diffij.engine.DiffijEngine;
import org.diffij.engine.Tensors;
import org.diffij.io.HostTensor;
import org.diffij.models.unet.AddedConditions;
import org.diffij.models.unet.UNet2DConditionModel;
import org.diffij.parity.AreaRunner;
import org.diffij.parity.GoldenCase;

/** The {@code unet} golden area: one UNet forward of the case's inputs with the model folder's {@code unet/}. */
public final class UNetAreaRunner implements AreaRunner {

    @Override
    public String area() {
        return "unet";
    }

    @Override
    public Map<String, HostTensor> run(GoldenCase golden) {
        Path folder = golden.modelPath().resolve("unet");
        DiffijEngine engine = DiffijEngine.get();
        DataType type = engine.computeType();
        return engine.queue().run("unet " + golden.id(), ctx -> {
            UNet2DConditionModel unet = UNet2DConditionModel.cached(ctx, folder);
            NDManager m = ctx.manager();
            AddedConditions added = golden.inputNames().contains("text_embeds")
                    ? new AddedConditions(input(m, golden, "text_embeds", type), input(m, golden, "time_ids", type))
                    : null;
            NDArray out = unet.forward(input(m, golden, "sample", type), input(m, golden, "timestep", type),
                    input(m, golden, "encoder_hidden_states", type), added, null);
            return Map.of("noise_pred", Tensors.toHost(out));
        });
    }

    static NDArray input(NDManager m, GoldenCase golden, String name, DataType type) {
        return Tensors.toNDArray(m, golden.input(name), type);
    }
}
