package org.diffij.models.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.diffij.engine.Tensors;
import org.diffij.io.Weights;
import org.diffij.nn.LowRankBranches;
import org.diffij.nn.ReplacedWeights;

/**
 * Adapters applied to one component for one request, the cached model used unchanged: low-rank
 * layers as {@link LowRankBranches} beside the layer (costing only their small matrices), every
 * other change (LoHa, LoKr, full, IA3, norm, DoRA) as a merged weight {@code W + Σ m · ΔW} made once
 * here and used instead of the cached one ({@link ReplacedWeights}), which costs the adapted
 * layers' size in memory and nothing per step. Both live in the caller's (job) memory scope.
 */
public final class RuntimeLora {

    private final Map<String, List<LowRankBranches.Branch>> branches;
    private final Map<String, ReplacedWeights.Replacement> replacements;

    private RuntimeLora(Map<String, List<LowRankBranches.Branch>> branches,
            Map<String, ReplacedWeights.Replacement> replacements) {
        this.branches = branches;
        this.replacements = replacements;
    }

    /** The adapters' changes of one component (e.g. {@code unet}), whose stored weights are {@code base}. */
    public static RuntimeLora of(List<AppliedLora> applied, String component, Weights base, NDManager manager,
            DataType computeType) {
        Map<String, List<LowRankBranches.Branch>> branches = new LinkedHashMap<>();
        Map<String, List<AppliedLora>> merged = new LinkedHashMap<>();
        for (AppliedLora a : applied) {
            for (Map.Entry<String, LoraLayer> e : a.adapter().layers(component).entrySet()) {
                if (e.getValue().isLowRank()) {
                    branches.computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                            .add(e.getValue().branch(manager, computeType, a.scale(component)));
                } else {
                    merged.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(a);
                }
            }
        }
        Map<String, ReplacedWeights.Replacement> replacements = new LinkedHashMap<>();
        for (Map.Entry<String, List<AppliedLora>> e : merged.entrySet()) {
            String module = e.getKey();
            replacements.put(module, replacement(base, module, component, e.getValue(), manager, computeType));
        }
        return new RuntimeLora(branches, replacements);
    }

    /** The merged weight (and bias, when one changes) of a module, in the compute type. */
    private static ReplacedWeights.Replacement replacement(Weights base, String module, String component,
            List<AppliedLora> dense, NDManager manager, DataType computeType) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray weight = null;
            NDArray bias = null;
            for (AppliedLora a : dense) {
                LoraLayer layer = a.adapter().layers(component).get(module);
                NDArray dw = layer.weightDelta(scope, base.read(module + ".weight"));
                if (dw != null) {
                    weight = (weight == null ? stored(scope, base, module + ".weight") : weight).add(dw.mul(
                            a.scale(component)));
                }
                NDArray db = layer.biasDelta(scope);
                if (db != null) {
                    bias = (bias == null ? stored(scope, base, module + ".bias") : bias).add(db.mul(
                            a.scale(component)));
                }
            }
            return new ReplacedWeights.Replacement(weight == null ? null : keep(weight, manager, computeType),
                    bias == null ? null : keep(bias, manager, computeType));
        }
    }

    private static NDArray stored(NDManager m, Weights base, String name) {
        return Tensors.toNDArray(m, base.read(name), DataType.FLOAT32);
    }

    private static NDArray keep(NDArray array, NDManager manager, DataType computeType) {
        NDArray kept = array.toType(computeType, false);
        kept.attach(manager);
        return kept;
    }

    /** Whether nothing changes. */
    public boolean isEmpty() {
        return branches.isEmpty() && replacements.isEmpty();
    }

    /** Runs a forward pass of the component with the changes active. */
    public <T> T applying(Supplier<T> forward) {
        return isEmpty() ? forward.get()
                : LowRankBranches.applying(branches, () -> ReplacedWeights.applying(replacements, forward));
    }
}
