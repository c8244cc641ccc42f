package org.diffij.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.diffij.parity.GoldenData;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class SamplesTest {

    @Test
    void engineJobSampleComputesItsSum() {
        // ones(n,n) squared is n everywhere: n*n*n per step.
        assertEquals(3 * 8.0 * 8 * 8, EngineJobSample.submit(8, 3).await());
    }

    @Test
    void modelReportDescribesTheTinyPipeline() {
        Path manifest = GoldenData.manifestFile().orElse(null);
        if (manifest == null) {
            Assumptions.assumeTrue(GoldenData.required(), "golden data missing: skipped outside CI");
            throw new AssertionError("golden data missing under CI");
        }
        Path model = manifest.resolveSibling("models").resolve("tiny-sd15");
        Assumptions.assumeTrue(Files.isDirectory(model));
        String report = ModelReport.describe(model);
        assertTrue(report.startsWith("tiny-sd15 is a diffusers pipeline StableDiffusionPipeline"), report);
        assertTrue(report.contains("unet: 304 tensors"), report);
    }
}
