package org.diffij.engine;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The engine starts when Diffij is loaded by a plugin class loader that is not the context loader. */
class PluginClassLoaderTest {

    @Test
    void engineStartsFromAPluginClassLoader() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                PluginClassLoaderProbe.class.getName()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS));
        assertTrue(output.contains("self-check ok") && output.contains("exit 0"), output);
    }
}
