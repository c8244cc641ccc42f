package org.diffij.parity;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;

/** Test access to ../shared/golden: a skip on a developer machine without it, a failure under CI. */
public final class Golden {

    private static GoldenManifest manifest;

    private Golden() {
    }

    public static synchronized GoldenManifest manifest() {
        if (manifest == null) {
            Path file = GoldenData.manifestFile().orElse(null);
            if (file == null) {
                String message = GoldenData.missingMessage();
                if (GoldenData.required()) {
                    fail(message + " - it is mandatory under CI");
                }
                assumeTrue(false, message + " - skipping reference tests");
            }
            manifest = GoldenManifest.load(file);
        }
        return manifest;
    }

    public static GoldenCase golden(String id) {
        return manifest().cases().stream().filter(c -> c.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no golden case " + id));
    }
}
