package org.diffij.io.pickle;

import java.util.List;

/** A Python tuple read from (or to be written to) a pickle; lists are plain {@link java.util.List}s. */
public record PickleTuple(List<Object> items) {

    public PickleTuple {
        items = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(items));
    }

    public static PickleTuple of(Object... items) {
        return new PickleTuple(java.util.Arrays.asList(items));
    }

    public int size() {
        return items.size();
    }

    public Object get(int index) {
        return items.get(index);
    }
}
