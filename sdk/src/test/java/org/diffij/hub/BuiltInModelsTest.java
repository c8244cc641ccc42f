package org.diffij.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A built-in model is copied out of the jar once, whole and checked, and then found where it was put. */
class BuiltInModelsTest {

    /** A two-file model among the test resources, laid out as the demo model is among the jar's. */
    private static final String MODEL = "test-builtin";

    @TempDir
    Path home;

    @Test
    void installsEveryIndexedFileOnceUnderTheHomeNamedByTheIndexHash() throws IOException {
        Path folder = BuiltInModels.installed(MODEL, home);
        assertEquals(home.resolve("models"), folder.getParent());
        assertTrue(folder.getFileName().toString().matches(MODEL + "-[0-9a-f]{12}"), folder.toString());
        for (String file : List.of("model_index.json", "unet/config.json", BuiltInModels.SUMS)) {
            assertArrayEquals(resource(file), Files.readAllBytes(folder.resolve(file)), file);
        }
        Path mark = Files.writeString(folder.resolve("left by the user"), "kept");
        assertEquals(folder, BuiltInModels.installed(MODEL, home));
        assertTrue(Files.exists(mark), "a complete copy is used as it is, not copied again");
        try (var listing = Files.list(home.resolve("models"))) {
            assertEquals(List.of(folder), listing.toList(), "no partial copy is left beside it");
        }
    }

    @Test
    void theIndexWrittenForAFolderIsTheOneItShipsWith() throws IOException {
        Path folder = BuiltInModels.installed(MODEL, home);
        Path copy = Files.createDirectories(home.resolve("copy/unet"));
        Files.copy(folder.resolve("unet/config.json"), copy.resolve("config.json"));
        Files.copy(folder.resolve("model_index.json"), copy.resolveSibling("model_index.json"));
        BuiltInModels.writeIndex(copy.getParent());
        assertArrayEquals(resource(BuiltInModels.SUMS), Files.readAllBytes(copy.resolveSibling(BuiltInModels.SUMS)));
    }

    @Test
    void onlyTheDemoIsANameOfABuiltInModel() {
        assertTrue(BuiltInModels.find(MODEL).isEmpty(), "test resources are not built-in models");
        assertTrue(BuiltInModels.find("sd15").isEmpty());
    }

    private static byte[] resource(String file) throws IOException {
        try (InputStream in = BuiltInModelsTest.class.getResourceAsStream("/org/diffij/models/" + MODEL + "/" + file)) {
            return in.readAllBytes();
        }
    }
}
