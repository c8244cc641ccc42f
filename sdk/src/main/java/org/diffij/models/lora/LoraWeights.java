package org.diffij.models.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.List;
import java.util.Set;
import org.diffij.engine.Tensors;
import org.diffij.io.HostTensor;
import org.diffij.io.Weights;

/**
 * A component's weights with adapters merged in: every adapted {@code <module>.weight} (and
 * {@code .bias}) reads as {@code W + Σ multiplier · ΔW} by {@link LoraLayer}'s formulas (float32);
 * all other tensors read unchanged. The base weights are never modified, so the same base can serve
 * several adapter combinations. The deltas are computed in a scope of {@code manager}.
 */
public final class LoraWeights implements Weights {

    private final Weights base;
    private final String component;
    private final List<AppliedLora> applied;
    private final NDManager manager;

    public LoraWeights(Weights base, String component, List<AppliedLora> applied, NDManager manager) {
        this.base = base;
        this.component = component;
        this.applied = List.copyOf(applied);
        this.manager = manager;
    }

    @Override
    public Set<String> names() {
        return base.names();
    }

    @Override
    public boolean contains(String name) {
        return base.contains(name);
    }

    @Override
    public HostTensor read(String name) {
        HostTensor stored = base.read(name);
        boolean weight = name.endsWith(".weight");
        if (!weight && !name.endsWith(".bias")) {
            return stored;
        }
        String module = name.substring(0, name.lastIndexOf('.'));
        try (NDManager scope = manager.newSubManager()) {
            NDArray sum = null;
            for (AppliedLora a : applied) {
                LoraLayer layer = a.adapter().layers(component).get(module);
                if (layer == null) {
                    continue;
                }
                NDArray delta = weight ? layer.weightDelta(scope, stored) : layer.biasDelta(scope);
                if (delta != null) {
                    delta = delta.mul(a.scale(component));
                    sum = sum == null ? delta : sum.add(delta);
                }
            }
            if (sum == null) {
                return stored;
            }
            return Tensors.toHost(Tensors.toNDArray(scope, stored, DataType.FLOAT32).add(sum.reshape(
                    new ai.djl.ndarray.types.Shape(stored.shape()))));
        }
    }
}
