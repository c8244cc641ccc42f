package org.diffij.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import java.nio.file.Path;
import org.diffij.engine.DiffijEngine;
import org.junit.jupiter.api.Test;

/**
 * The packaging decision, checked: the plugin runs on the libraries Fiji ships (pom-scijava 40.0.0)
 * instead of the newer ones DJL 0.36 asks for. The plugin's pom declares Fiji's versions as provided,
 * so this and every other plugin test run with Fiji's jars on the class path.
 */
class FijiClassPathTest {

    private static String jarOf(Class<?> type) {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().getPath()).getFileName().toString();
    }

    @Test
    void fijisGsonJnaSlf4jAndImgLib2AreTheOnesOnTheClassPath() throws Exception {
        assertEquals("gson-2.10.1.jar", jarOf(com.google.gson.Gson.class));
        assertEquals("jna-5.14.0.jar", jarOf(Class.forName("com.sun.jna.Native")));
        assertEquals("slf4j-api-1.7.36.jar", jarOf(org.slf4j.LoggerFactory.class));
        assertEquals("imglib2-7.1.2.jar", jarOf(net.imglib2.img.array.ArrayImgs.class));
        assertEquals("commons-io-2.17.0.jar", jarOf(Class.forName("org.apache.commons.io.IOUtils")));
    }

    @Test
    void theEngineStartsAndACommandGeneratesWithThem() {
        ImagePlus image = new GenerateCommand().apply(null, "model=[" + HeadlessImageJ.model("tiny-sd15")
                + "] prompt=[a cat] sampler=[Euler a] steps=2 seed=1 width=64 height=64");
        assertNotNull(image);
        assertEquals(64, image.getWidth());
        String engine = DiffijEngine.get().describe();
        assertTrue(engine.contains("DJL 0.36.0"), engine);
    }
}
