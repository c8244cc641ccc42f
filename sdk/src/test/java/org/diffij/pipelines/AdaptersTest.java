package org.diffij.pipelines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.diffij.engine.DiffijEngine;
import org.diffij.engine.Tensors;
import org.diffij.models.controlnet.ControlNetModel;
import org.diffij.models.unet.ControlResiduals;
import org.diffij.parity.Golden;
import org.diffij.parity.GoldenCase;
import org.junit.jupiter.api.Test;

/** Which of a request's adapters reach a ControlNet: A1111 hooks its attentions with the hypernetworks. */
class AdaptersTest {

    @Test
    void hypernetworksReachTheControlNetsAttentionsAndStrengthZeroChangesNothing() {
        GoldenCase golden = Golden.golden("controlnet/tiny-controlnet-sd15_scale1p0");
        Path hypernetwork = Golden.manifest().root().resolve("models/hypernetworks/tiny-sd15-hn-relu.safetensors");
        DiffijEngine.get().queue().run("controlnet with hypernetwork", ctx -> {
            NDManager m = ctx.manager();
            StableDiffusionModel model = StableDiffusionModel.load(Golden.manifest().modelPath("tiny-sd15"), m,
                    DataType.FLOAT32);
            ControlNetModel controlNet = ControlNetModel.load(Golden.manifest().modelPath("tiny-controlnet-sd15"), m,
                    DataType.FLOAT32);
            NDArray sample = Tensors.toNDArray(m, golden.input("sample"), DataType.FLOAT32);
            NDArray timestep = Tensors.toNDArray(m, golden.input("timestep"), DataType.FLOAT32);
            NDArray context = Tensors.toNDArray(m, golden.input("encoder_hidden_states"), DataType.FLOAT32);
            NDArray cond = Tensors.toNDArray(m, golden.input("controlnet_cond"), DataType.FLOAT32);
            float[] plain = residuals(Adapters.none(), controlNet, sample, timestep, context, cond);
            float[] hooked = residuals(Adapters.prepare(m, DataType.FLOAT32, model, List.of(new AdapterFile(
                    new Adapter(Adapter.Kind.HYPERNET, "tiny-sd15-hn-relu", 1, 1), hypernetwork))),
                    controlNet, sample, timestep, context, cond);
            float[] atZero = residuals(Adapters.prepare(m, DataType.FLOAT32, model, List.of(new AdapterFile(
                    new Adapter(Adapter.Kind.HYPERNET, "tiny-sd15-hn-relu", 0, 0), hypernetwork))),
                    controlNet, sample, timestep, context, cond);
            assertFalse(Arrays.equals(plain, hooked), "the hypernetwork must change the ControlNet's residuals");
            assertArrayEquals(plain, atZero, "strength 0 leaves the residuals as they are");
            return null;
        });
    }

    private static float[] residuals(Adapters adapters, ControlNetModel controlNet, NDArray sample, NDArray timestep,
            NDArray context, NDArray cond) {
        ControlResiduals r = adapters.controlNet(() -> controlNet.forward(sample, timestep, context, cond, 1f, null));
        float[] mid = r.mid().toFloatArray();
        float[] first = r.down().get(r.down().size() - 1).toFloatArray();
        float[] both = Arrays.copyOf(mid, mid.length + first.length);
        System.arraycopy(first, 0, both, mid.length, first.length);
        return both;
    }
}
