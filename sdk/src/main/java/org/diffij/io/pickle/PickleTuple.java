package org.diffij.io.pickle;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/** A Python tuple read from (or to be written to) a pickle; lists are plain {@link java.util.List}s. */
public record PickleTuple(List<Object> items) {

    public PickleTuple {
        items = Collections.unmodifiableList(new ArrayList<>(items));
    }

    public static PickleTuple of(Object... items) {
        return new PickleTuple(Arrays.asList(items));
    }

    public int size() {
        return items.size();
    }

    public Object get(int index) {
        return items.get(index);
    }
}
