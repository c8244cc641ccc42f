package org.diffij.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diffij.hub.BuiltInModels;
import org.diffij.io.SafetensorsFile;
import org.diffij.pipelines.Generator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `diffij demo train` with its defaults trains the shipped demo model again, bit for bit (on CPU, on
 * the machine kind it was trained on): every config and tokenizer file and every weight's bytes; the
 * weight files' metadata is provenance (version, the run's paths) and may differ. About 17 minutes,
 * so only with -Pslow.
 */
@Tag("slow")
class DemoReproducibilityTest {

    @TempDir
    Path dir;

    @Test
    void theDefaultRunTrainsTheShippedModel() throws IOException {
        Path shipped = Generator.byPath().apply(BuiltInModels.DEMO);
        Path trained = DemoTraining.train(dir.resolve("demo"), DemoTraining.Settings.DEFAULTS, "test",
                System.out::println);
        for (String line : Files.readAllLines(shipped.resolve(BuiltInModels.SUMS))) {
            String file = line.substring(66);
            if (file.endsWith(".safetensors")) {
                try (SafetensorsFile a = SafetensorsFile.open(shipped.resolve(file));
                        SafetensorsFile b = SafetensorsFile.open(trained.resolve(file))) {
                    assertEquals(a.names(), b.names(), file);
                    for (String name : a.names()) {
                        assertEquals(a.info(name).dtype(), b.info(name).dtype(), name);
                        assertArrayEquals(a.info(name).shape(), b.info(name).shape(), name);
                        assertEquals(a.bytes(name), b.bytes(name), file + ": " + name);
                    }
                }
            } else {
                assertEquals(Files.readString(shipped.resolve(file)), Files.readString(trained.resolve(file)), file);
            }
        }
    }
}
