package org.diffij.io;

import java.util.Set;

/**
 * Named tensors a model loads its parameters from: a file, a sharded set, a renamed view of a
 * single-file checkpoint, or base weights with adapters merged in. Names are diffusers keys.
 */
public interface Weights {

    Set<String> names();

    default boolean contains(String name) {
        return names().contains(name);
    }

    /** The tensor in its stored dtype; callers widen to the compute dtype. */
    HostTensor read(String name);
}
