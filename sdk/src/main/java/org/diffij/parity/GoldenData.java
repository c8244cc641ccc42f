package org.diffij.parity;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the golden reference data: {@code ../shared/golden} beside the project root. The root is
 * the {@code diffij.project.root} system property (Maven sets it for tests) or the nearest folder
 * above the working directory that holds the parent {@code pom.xml} and {@code sdk/}.
 */
public final class GoldenData {

    private GoldenData() {
    }

    public static Optional<Path> projectRoot() {
        String property = System.getProperty("diffij.project.root");
        if (property != null && !property.isBlank()) {
            return Optional.of(Path.of(property).toAbsolutePath().normalize());
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("pom.xml")) && Files.isDirectory(dir.resolve("sdk"))) {
                return Optional.of(dir);
            }
        }
        return Optional.empty();
    }

    /**
     * Where the golden data is expected: the {@code diffij.golden.dir} system property when set (to run
     * the tests against another copy, or none), else {@code ../shared/golden} beside the project root.
     */
    public static Optional<Path> expectedFolder() {
        String property = System.getProperty("diffij.golden.dir");
        if (property != null && !property.isBlank()) {
            return Optional.of(Path.of(property).toAbsolutePath().normalize());
        }
        return projectRoot().map(root -> root.resolveSibling("shared").resolve("golden"));
    }

    /** The manifest file when the golden data is present. */
    public static Optional<Path> manifestFile() {
        return expectedFolder().map(folder -> folder.resolve("manifest.json")).filter(Files::isRegularFile);
    }

    /** The one line a test prints when the golden data is missing: where it was expected. */
    public static String missingMessage() {
        return "golden reference data not found at " + expectedFolder().map(Path::toString).orElse("../shared/golden "
                + "(no project root found)");
    }

    /** True under CI, where missing golden data is a failure rather than a skip. */
    public static boolean required() {
        return "true".equalsIgnoreCase(System.getenv("CI")) || Boolean.getBoolean("diffij.golden.required");
    }
}
