package org.diffij.models.clip;

import ai.djl.ndarray.NDArray;
import java.util.function.UnaryOperator;
import org.diffij.nn.Activations;
import org.diffij.nn.Linear;
import org.diffij.nn.Params;

/** CLIP's feed-forward: {@code fc1}, the config's activation, {@code fc2}. */
final class ClipMlp {

    private final Linear fc1;
    private final UnaryOperator<NDArray> activation;
    private final Linear fc2;

    ClipMlp(Params p, ClipEncoder.Config c) {
        this.fc1 = new Linear(p.at("fc1"), c.hiddenSize(), c.intermediateSize(), true);
        this.activation = Activations.named(c.hiddenAct());
        this.fc2 = new Linear(p.at("fc2"), c.intermediateSize(), c.hiddenSize(), true);
    }

    NDArray forward(NDArray x) {
        return fc2.forward(activation.apply(fc1.forward(x)));
    }
}
