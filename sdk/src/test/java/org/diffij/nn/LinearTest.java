package org.diffij.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.diffij.engine.DiffijEngine;
import org.diffij.engine.Tensors;
import org.diffij.io.HostTensor;
import org.diffij.io.Weights;
import org.junit.jupiter.api.Test;

/** Many rows go through the 1×1-convolution form, few through the matrix product; both equal x·Wᵀ + b. */
class LinearTest {

    private static HostTensor random(Random random, long... shape) {
        float[] values = new float[(int) HostTensor.numel(shape)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return HostTensor.ofFloats(values, shape);
    }

    @Test
    void bothFormsEqualTheMatrixProduct() {
        Random random = new Random(7);
        Map<String, HostTensor> tensors = Map.of("proj.weight", random(random, 40, 24), "proj.bias",
                random(random, 40));
        Weights weights = new Weights() {
            @Override
            public Set<String> names() {
                return tensors.keySet();
            }

            @Override
            public HostTensor read(String name) {
                return tensors.get(name);
            }
        };
        float[] errors = DiffijEngine.get().queue().run("linear", ctx -> {
            ParameterLoader loader = new ParameterLoader(weights, ctx.manager(), DataType.FLOAT32, "test");
            Linear linear = new Linear(loader.root().at("proj"), 24, 40, true);
            loader.finish();
            NDArray weight = Tensors.toNDArray(ctx.manager(), tensors.get("proj.weight"), DataType.FLOAT32);
            NDArray bias = Tensors.toNDArray(ctx.manager(), tensors.get("proj.bias"), DataType.FLOAT32);
            float[] out = new float[2];
            int i = 0;
            for (long rows : new long[] {700, 3}) {
                NDArray x = ctx.manager().randomNormal(new Shape(2, rows, 24));
                NDArray expected = x.matMul(weight.transpose()).add(bias);
                NDArray y = linear.forward(x);
                assertArrayEquals(new long[] {2, rows, 40}, y.getShape().getShape());
                out[i++] = y.sub(expected).abs().max().getFloat();
            }
            return out;
        });
        assertTrue(errors[0] < 1e-4 && errors[1] < 1e-4, "errors " + errors[0] + ", " + errors[1]);
    }
}
