package org.diffij.training;

import ai.djl.ndarray.NDArray;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.diffij.nn.ParameterTree;

/**
 * Full fine-tuning: every parameter of the chosen components (the UNet, optionally the text
 * encoders) collects gradients and is updated in place, so the model itself is what is trained.
 * Trained tensors are named {@code <component>.<diffusers key>} ({@code unet.conv_in.weight}), the
 * names the optimiser state and training checkpoints use.
 */
final class FullFineTune {

    private final Map<String, ParameterTree> components;
    private final Map<String, NDArray> parameters = new LinkedHashMap<>();

    /** Makes every parameter of {@code components} (component name → its tree) trainable. */
    FullFineTune(Map<String, ParameterTree> components) {
        this.components = Collections.unmodifiableMap(new LinkedHashMap<>(components));
        components.forEach((component, tree) -> {
            tree.setTrainable("*", true);
            tree.named().forEach((key, value) -> parameters.put(component + "." + key, value));
        });
    }

    /** The trained tensors by {@code <component>.<key>}, in component then build order. */
    Map<String, NDArray> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    /** The trained components by name. */
    Map<String, ParameterTree> components() {
        return components;
    }

    /** Whether the trained tensor {@code name} belongs to {@code component}. */
    static boolean belongsTo(String name, String component) {
        return name.startsWith(component + ".");
    }

    /** Number of trained values. */
    long values() {
        return parameters.values().stream().mapToLong(NDArray::size).sum();
    }
}
