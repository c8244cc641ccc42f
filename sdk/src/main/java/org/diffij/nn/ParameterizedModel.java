package org.diffij.nn;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/** A model built from named parameters: the UNet, the VAE, ControlNets, the CLIP towers. */
public interface ParameterizedModel {

    /** Its parameters by diffusers/transformers key. */
    ParameterTree parameters();

    default Map<String, NDArray> namedParameters() {
        return parameters().named();
    }
}
