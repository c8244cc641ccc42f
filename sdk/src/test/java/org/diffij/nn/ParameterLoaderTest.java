package org.diffij.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import java.util.Map;
import java.util.Set;
import org.diffij.DiffijException;
import org.diffij.engine.DiffijEngine;
import org.diffij.io.HostTensor;
import org.diffij.io.Weights;
import org.junit.jupiter.api.Test;

/** A load fails naming every missing, misshapen and unused weight; a complete one passes. */
class ParameterLoaderTest {

    private static Weights weights(Map<String, HostTensor> tensors) {
        return new Weights() {
            @Override
            public Set<String> names() {
                return tensors.keySet();
            }

            @Override
            public HostTensor read(String name) {
                return tensors.get(name);
            }
        };
    }

    private static HostTensor zeros(long... shape) {
        return HostTensor.ofFloats(new float[(int) HostTensor.numel(shape)], shape);
    }

    @Test
    void completeWeightsLoad() {
        long bytes = DiffijEngine.get().queue().run("load", ctx -> {
            ParameterLoader loader = new ParameterLoader(weights(Map.of("proj.weight", zeros(3, 2), "proj.bias",
                    zeros(3))), ctx.manager(), DataType.FLOAT32, "test model");
            new Linear(loader.root().at("proj"), 2, 3, true);
            loader.finish();
            return loader.bytes();
        });
        assertEquals((6 + 3) * 4, bytes);
    }

    @Test
    void missingMisshapenAndUnexpectedWeightsAreNamed() {
        DiffijException e = assertThrows(DiffijException.class, () -> DiffijEngine.get().queue().run("load", ctx -> {
            ParameterLoader loader = new ParameterLoader(weights(Map.of("proj.weight", zeros(3, 5),
                    "stray.weight", zeros(1))), ctx.manager(), DataType.FLOAT32, "test model");
            new Linear(loader.root().at("proj"), 2, 3, true);
            loader.finish();
            return null;
        }));
        assertTrue(e.getMessage().contains("1 missing (proj.bias)"), e.getMessage());
        assertTrue(e.getMessage().contains("proj.weight [3, 5] (expected [3, 2])"), e.getMessage());
        assertTrue(e.getMessage().contains("1 unexpected (stray.weight)"), e.getMessage());
    }
}
