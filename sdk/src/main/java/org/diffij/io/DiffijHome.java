package org.diffij.io;

import java.nio.file.Path;

/**
 * Diffij's own folder for what it installs and remembers (built-in models, the hash cache): the
 * {@code diffij.home} system property (settable inside Fiji, where the environment is not), else
 * {@code DIFFIJ_HOME}, else {@code ~/.cache/diffij}. Never a model folder or the hub cache, which
 * belong to the user and to the other tools.
 */
public final class DiffijHome {

    private DiffijHome() {
    }

    public static Path folder() {
        String configured = System.getProperty("diffij.home");
        if (configured == null || configured.isBlank()) {
            configured = System.getenv("DIFFIJ_HOME");
        }
        return configured == null || configured.isBlank()
                ? Path.of(System.getProperty("user.home"), ".cache", "diffij") : Path.of(configured);
    }
}
