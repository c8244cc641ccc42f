package org.diffij.models.hypernetwork;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;
import org.diffij.nn.LayerNorm;
import org.diffij.nn.Linear;
import org.diffij.nn.Params;

/**
 * A1111's {@code HypernetworkModule} for one context width {@code d}: the residual
 * {@code x + linear(x) · multiplier}, {@code linear} a Sequential whose state-dict keys count every
 * entry ({@code linear.0} Linear, {@code linear.1} its activation, ...), so parameters sit under the
 * index A1111's Sequential gives them.
 */
final class HypernetworkModule {

    private static final float LAYER_NORM_EPS = 1e-5f;

    /** One entry of the Sequential; {@code training} switches dropout on. */
    private interface Layer {
        NDArray forward(NDArray x, boolean training);
    }

    private final List<Layer> linear = new ArrayList<>();
    private final List<NDArray> slopes = new ArrayList<>();

    HypernetworkModule(Params p, long dim, HypernetworkConfig c) {
        List<Double> ls = c.layerStructure();
        int index = 0;
        for (int i = 0; i < ls.size() - 1; i++) {
            long in = (long) (dim * ls.get(i));
            long out = (long) (dim * ls.get(i + 1));
            Linear layer = new Linear(p.at("linear", index++), in, out, true);
            linear.add((x, training) -> layer.forward(x));
            boolean last = i == ls.size() - 2;
            if (c.activation() != HypernetworkActivation.LINEAR && (!last || c.activateOutput())) {
                HypernetworkActivation activation = c.activation();
                NDArray slope = activation.hasSlope() ? p.at("linear", index).tensor("weight", 1) : null;
                if (slope != null) {
                    slopes.add(slope);
                }
                linear.add((x, training) -> activation.apply(x, slope, training));
                index++;
            }
            if (c.isLayerNorm()) {
                LayerNorm norm = new LayerNorm(p.at("linear", index++), out, LAYER_NORM_EPS);
                linear.add((x, training) -> norm.forward(x));
            }
            float dropout = (float) (double) c.dropoutStructure().get(i + 1);
            if (dropout > 0) {
                linear.add((x, training) -> training ? ai.djl.nn.norm.Dropout.dropout(x, dropout, true).head() : x);
                index++;
            }
        }
    }

    /** The learnt slopes of its PReLU activations (none for other activations). */
    List<NDArray> slopes() {
        return slopes;
    }

    /** {@code x + linear(x) · multiplier}; A1111 ignores the multiplier (uses 1) while training. */
    NDArray forward(NDArray x, float multiplier, boolean training) {
        NDArray y = x;
        for (Layer layer : linear) {
            y = layer.forward(y, training);
        }
        return x.add(training ? y : y.mul(multiplier));
    }
}
