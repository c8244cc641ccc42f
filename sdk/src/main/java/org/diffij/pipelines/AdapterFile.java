package org.diffij.pipelines;

import java.nio.file.Path;

/** An adapter of a request (from its adapter list or a prompt tag) and the file it was found in. */
public record AdapterFile(Adapter adapter, Path file) {

    /** The token that calls an embedding: its file name without the extension. */
    public String token() {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
