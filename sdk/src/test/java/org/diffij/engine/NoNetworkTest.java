package org.diffij.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Nothing leaves the machine: the engine starts without DJL's usage-tracking request. */
class NoNetworkTest {

    private static List<String> watch(String mode) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                NetworkWatch.class.getName(), mode).redirectErrorStream(true);
        builder.environment().remove("OPT_OUT_TRACKING");
        builder.environment().remove("DJL_OFFLINE");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "watch did not finish");
        assertTrue(output.contains("done"), output);
        return output.lines().filter(l -> l.startsWith("URL ")).toList();
    }

    @Test
    void theEngineStartsWithoutAnyNetworkRequest() throws Exception {
        assertEquals(List.of(), watch("diffij"));
    }

    @Test
    void theWatchSeesDjlsRequestsWhenDjlIsStartedUnprotected() throws Exception {
        List<String> urls = watch("raw");
        assertTrue(!urls.isEmpty(), "control: plain DJL start should have tried to reach the network");
    }
}
