package org.diffij.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.diffij.io.SafetensorsFile;
import org.diffij.parity.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConvertCommandTest {

    @TempDir
    Path dir;

    @Test
    void convertsAGoldenHypernetworkToItsFlattenedTwinKeepingItsFields() throws IOException {
        Path folder = Golden.manifest().root().resolve("models/hypernetworks");
        Path out = dir.resolve("hn.safetensors");
        CliRun run = CliRun.of("convert", folder.resolve("tiny-sd15-hn-relu.pt").toString(), out.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("16 tensors"), run.out());
        try (SafetensorsFile converted = SafetensorsFile.open(out);
                SafetensorsFile twin = SafetensorsFile.open(folder.resolve("tiny-sd15-hn-relu.safetensors"))) {
            assertEquals(twin.names(), converted.names());
            for (String name : twin.names()) {
                assertEquals(twin.read(name).bytes(), converted.read(name).bytes(), name);
            }
            for (String field : List.of("name", "layer_structure", "activation_func", "dropout_structure", "step")) {
                assertEquals(twin.metadata().get(field), converted.metadata().get(field), field);
            }
            assertEquals("pt", converted.metadata().get("format"));
        }
    }

    @Test
    void neverOverwritesWithoutBeingToldAndRefusesBadInputInOneLine() throws IOException {
        Path embedding = Golden.manifest().root().resolve("models/textual_inversion/cat-toy-a1111.pt");
        Path out = Files.writeString(dir.resolve("taken.safetensors"), "keep me");
        assertOneLineError(CliRun.of("convert", embedding.toString(), out.toString()), "already exists; pass --overwrite");
        assertEquals("keep me", Files.readString(out));
        CliRun overwrite = CliRun.of("convert", embedding.toString(), out.toString(), "--overwrite");
        assertEquals(0, overwrite.exitCode(), overwrite.err());
        try (SafetensorsFile converted = SafetensorsFile.open(out)) {
            assertArrayEquals(new long[] {3, 32}, converted.info("string_to_param.*").shape());
            assertEquals("\"cat-toy\"", converted.metadata().get("name"));
        }
        assertOneLineError(CliRun.of("convert", embedding.toString(), dir.resolve("x.pt").toString()),
                "must be a .safetensors file");
        assertOneLineError(CliRun.of("convert", dir.resolve("absent.pt").toString(), dir.resolve("y.safetensors")
                .toString()), "no such file");
        Path evil = Files.write(dir.resolve("evil.pt"), evilPickle());
        assertOneLineError(CliRun.of("convert", evil.toString(), dir.resolve("z.safetensors").toString()),
                "refers to os.system, which Diffij never runs");
        assertTrue(Files.notExists(dir.resolve("z.safetensors")));
    }

    @Test
    void inspectDescribesPickles() {
        Path folder = Golden.manifest().root().resolve("models");
        CliRun embedding = CliRun.of("inspect", folder.resolve("textual_inversion/cat-toy-a1111.pt").toString(), "--all");
        assertEquals(0, embedding.exitCode(), embedding.err());
        assertTrue(embedding.out().contains("textual inversion (A1111) (torch zip pickle)"), embedding.out());
        assertTrue(embedding.out().contains("string_to_param.*"), embedding.out());
        assertTrue(embedding.out().contains("metadata name = \"cat-toy\""), embedding.out());
        CliRun hypernetwork = CliRun.of("inspect", folder.resolve("hypernetworks/tiny-sd15-hn-linear.pt").toString());
        assertTrue(hypernetwork.out().contains("hypernetwork (A1111) (torch zip pickle)"), hypernetwork.out());
        assertTrue(hypernetwork.out().contains("8 tensors"), hypernetwork.out());
    }

    /** A zip pickle that calls os.system('echo pwned'). */
    private static byte[] evilPickle() throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(bytes)) {
            zip.putNextEntry(new java.util.zip.ZipEntry("archive/data.pkl"));
            zip.write(new byte[] {(byte) 0x80, 2});
            zip.write("cos\nsystem\nX".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            zip.write(new byte[] {10, 0, 0, 0});
            zip.write("echo pwned".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            zip.write(new byte[] {(byte) 0x85, 'R', '.'});
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }

    private static void assertOneLineError(CliRun run, String text) {
        assertEquals(2, run.exitCode(), run.out() + run.err());
        assertTrue(run.err().startsWith("diffij: ") && run.err().contains(text), run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
    }
}
