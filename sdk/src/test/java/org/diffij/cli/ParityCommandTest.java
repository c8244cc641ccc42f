package org.diffij.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.diffij.io.HostTensor;
import org.diffij.io.SafetensorsWriter;
import org.diffij.parity.Golden;
import org.diffij.parity.GoldenCase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParityCommandTest {

    @TempDir
    Path dir;

    @Test
    void listsEveryCaseOfTheSelectionAndEndsWithTheCounts() {
        Path manifest = Golden.manifest().root().resolve("manifest.json");
        CliRun run = CliRun.of("parity", manifest.toString(), "--area", "training");
        long trainingCases = Golden.manifest().cases().stream().filter(c -> c.area().equals("training")).count();
        String[] lines = run.out().strip().split("\n");
        assertEquals(trainingCases + 1, lines.length, run.out());
        for (GoldenCase c : Golden.manifest().cases()) {
            if (c.area().equals("training")) {
                assertTrue(run.out().contains(" " + c.id() + " ") || run.out().contains(" " + c.id() + "\n"), c.id());
            }
        }
        assertTrue(lines[lines.length - 1].matches("\\d+ passed, \\d+ failed, \\d+ skipped"), lines[lines.length - 1]);
    }

    @Test
    void exitsWithOneWhenACaseFails() throws IOException {
        SafetensorsWriter.write(dir.resolve("c.safetensors"), Map.of("out.y", HostTensor.scalar(1f)), Map.of());
        Files.writeString(dir.resolve("manifest.json"), "{\"models\": {}, \"cases\": [{\"id\": \"unet/x\", "
                + "\"area\": \"unet\", \"file\": \"c.safetensors\", \"model\": \"missing-model\", "
                + "\"outputs\": {\"y\": {}}, \"tolerance\": {\"max_abs\": 1}}]}");
        CliRun run = CliRun.of("parity", dir.resolve("manifest.json").toString());
        boolean unetImplemented = org.diffij.parity.AreaRunners.forArea("unet").isPresent();
        if (unetImplemented) {
            assertEquals(1, run.exitCode(), run.out());
            assertTrue(run.out().contains("FAIL unet/x"), run.out());
            assertTrue(run.out().strip().endsWith("0 passed, 1 failed, 0 skipped"), run.out());
        } else {
            assertEquals(0, run.exitCode(), run.out());
            assertTrue(run.out().strip().endsWith("0 passed, 0 failed, 1 skipped"), run.out());
        }
    }

    @Test
    void aMissingManifestIsAOneLineError() {
        CliRun run = CliRun.of("parity", dir.resolve("nope.json").toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("no such file"), run.err());
    }

    @Test
    void everySubcommandHasHelp() {
        for (String command : new String[] {"parity", "inspect", "engine", "bench"}) {
            CliRun run = CliRun.of(command, "--help");
            assertEquals(0, run.exitCode(), command);
            assertTrue(run.out().startsWith("Usage: diffij " + command), run.out());
        }
        CliRun unknown = CliRun.of("frobnicate");
        assertEquals(2, unknown.exitCode());
    }
}
