package org.diffij.models.checkpoint;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import org.diffij.DiffijException;
import org.diffij.io.HostTensor;
import org.diffij.io.Weights;

/** One component of a single-file checkpoint seen under its diffusers names. */
public final class RenamedWeights implements Weights {

    /** Where a diffusers-named tensor comes from. */
    record Source(String storedName, TensorTransform transform) {
    }

    private final Weights stored;
    private final Map<String, Source> sources;

    RenamedWeights(Weights stored, Map<String, Source> sources) {
        this.stored = stored;
        this.sources = Map.copyOf(sources);
    }

    @Override
    public Set<String> names() {
        return Collections.unmodifiableSet(sources.keySet());
    }

    @Override
    public boolean contains(String name) {
        return sources.containsKey(name);
    }

    @Override
    public HostTensor read(String name) {
        Source source = sources.get(name);
        if (source == null) {
            throw new DiffijException("the checkpoint has no tensor for '" + name + "'");
        }
        return source.transform().apply(stored.read(source.storedName()));
    }

    /** Where every diffusers name is read from. */
    Map<String, Source> sources() {
        return sources;
    }

    /** The stored (LDM) name the diffusers name is read from. */
    public String storedName(String name) {
        Source source = sources.get(name);
        return source == null ? null : source.storedName();
    }
}
