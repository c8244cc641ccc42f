package org.diffij.nn;

import ai.djl.ndarray.NDArray;

/** The parameters under one module path, e.g. {@code down_blocks.1.attentions.0}; names are diffusers keys. */
public record Params(ParameterLoader loader, String prefix) {

    /** The sub-module at {@code path} (dot-separated parts, numbers for list items). */
    public Params at(Object... path) {
        StringBuilder name = new StringBuilder(prefix);
        for (Object part : path) {
            if (name.length() > 0) {
                name.append('.');
            }
            name.append(part);
        }
        return new Params(loader, name.toString());
    }

    /** The parameter {@code name} of this module, which must have the given shape. */
    public NDArray tensor(String name, long... shape) {
        return loader.tensor(key(name), shape);
    }

    /** A convolution weight, held in the kernels' fast (channels-last) layout. */
    public NDArray convolutionWeight(String name, long... shape) {
        return loader.convolutionWeight(key(name), shape);
    }

    private String key(String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }
}
