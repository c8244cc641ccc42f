package org.diffij.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import ij.ImagePlus;
import ij.process.ColorProcessor;
import org.diffij.cli.Version;
import org.diffij.pipelines.GenerationRequest;
import org.diffij.pipelines.Infotext;
import org.junit.jupiter.api.Test;

class ReleaseVersionTest {

    @Test
    void fijiRecordsTheVersionTheCommandLineReportsWhichIsThePomsVersion() {
        String pom = System.getProperty("diffij.project.version");
        assertNotNull(pom, "the parent pom's surefire sets diffij.project.version");
        String cli = new Version().getVersion()[0];
        assertEquals("Diffij " + pom, cli, "diffij --version");
        ImagePlus image = new ImagePlus("recorded", new ColorProcessor(8, 8));
        image.setProp(Provenance.PARAMETERS, GenerationRequest.of("m", "a cat").toMacroOptions());
        assertEquals(cli, Infotext.pairs(Provenance.parameters(image)).get("Version"), "what Fiji writes on results");
    }
}
