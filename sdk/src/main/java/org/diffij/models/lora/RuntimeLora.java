package org.diffij.models.lora;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diffij.engine.Tensors;
import org.diffij.nn.LowRankBranches;

/**
 * LoRAs applied at run time: their matrices become {@link LowRankBranches} in the caller's (job)
 * memory scope, so a cached base model is used unchanged and any LoRA combination costs only the
 * small matrices. Equal to merging up to float rounding; it is what diffusers computes unfused.
 */
public final class RuntimeLora {

    private RuntimeLora() {
    }

    /** The branches of one component (e.g. {@code unet}) for {@link LowRankBranches#applying}. */
    public static Map<String, List<LowRankBranches.Branch>> branches(List<AppliedLora> applied, String component,
            NDManager manager, DataType computeType) {
        Map<String, List<LowRankBranches.Branch>> branches = new LinkedHashMap<>();
        for (AppliedLora a : applied) {
            for (Map.Entry<String, LoraLayer> e : a.adapter().layers(component).entrySet()) {
                LoraLayer layer = e.getValue();
                branches.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(new LowRankBranches.Branch(
                        Tensors.toNDArray(manager, layer.down(), computeType),
                        Tensors.toNDArray(manager, layer.up(), computeType),
                        a.scale() * layer.alpha() / layer.rank()));
            }
        }
        return branches;
    }
}
