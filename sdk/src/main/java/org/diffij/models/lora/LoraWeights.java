package org.diffij.models.lora;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.diffij.io.HostTensor;
import org.diffij.io.Weights;

/**
 * A component's weights with LoRAs merged in: every adapted {@code <module>.weight} reads as
 * {@code W + Σ scale · alpha / rank · up @ down} (float32); all other tensors read unchanged. The
 * base weights are never modified, so the same base can serve several LoRA combinations.
 */
public final class LoraWeights implements Weights {

    private final Weights base;
    private final String component;
    private final List<AppliedLora> applied;

    public LoraWeights(Weights base, String component, List<AppliedLora> applied) {
        this.base = base;
        this.component = component;
        this.applied = List.copyOf(applied);
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
        HostTensor weight = base.read(name);
        if (!name.endsWith(".weight")) {
            return weight;
        }
        String module = name.substring(0, name.length() - ".weight".length());
        List<float[]> deltas = new ArrayList<>();
        for (AppliedLora a : applied) {
            LoraLayer layer = a.adapter().layers(component).get(module);
            if (layer != null) {
                deltas.add(layer.delta(weight.shape(), a.scale() * layer.alpha() / layer.rank()));
            }
        }
        if (deltas.isEmpty()) {
            return weight;
        }
        float[] merged = weight.toFloatArray();
        for (float[] delta : deltas) {
            for (int i = 0; i < merged.length; i++) {
                merged[i] += delta[i];
            }
        }
        return HostTensor.ofFloats(merged, weight.shape());
    }
}
