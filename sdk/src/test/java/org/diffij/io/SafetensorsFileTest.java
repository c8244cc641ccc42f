package org.diffij.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {

    @TempDir
    Path dir;

    @Test
    void writesAndReadsEveryDtypeWithMetadataSortedAndAligned() throws IOException {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        tensors.put("z.half", tensor(DType.F16, new long[] {3}, new byte[] {0, 0x3c, 0, (byte) 0xc0, 0, 0x38}));
        tensors.put("a.float", HostTensor.ofFloats(new float[] {1.5f, -2f, 3.25f, 0f, 1e-3f, 7f}, 2, 3));
        tensors.put("m.long", HostTensor.ofLongs(new long[] {49406, -1, Long.MAX_VALUE}, 3));
        tensors.put("b.bf16", tensor(DType.BF16, new long[] {2}, new byte[] {(byte) 0x80, 0x3f, 0x00, (byte) 0xc0}));
        tensors.put("c.u8", tensor(DType.U8, new long[] {1, 3}, new byte[] {0, (byte) 200, (byte) 255}));
        tensors.put("d.i32", tensor(DType.I32, new long[] {1}, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff,
            (byte) 0xff}));
        tensors.put("e.f64", tensor(DType.F64, new long[] {}, le(Double.doubleToLongBits(2.5))));
        tensors.put("f.bool", tensor(DType.BOOL, new long[] {2}, new byte[] {1, 0}));
        tensors.put("g.empty", tensor(DType.F32, new long[] {0, 4}, new byte[0]));
        Path file = dir.resolve("all.safetensors");
        SafetensorsWriter.write(file, tensors, Map.of("format", "pt", "note", "ü"));

        byte[] raw = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertEquals(0, headerLength % 8, "header padded to 8 bytes");
        String header = new String(raw, 8, (int) headerLength, StandardCharsets.UTF_8);
        assertTrue(header.indexOf("\"a.float\"") < header.indexOf("\"b.bf16\"")
                && header.indexOf("\"b.bf16\"") < header.indexOf("\"z.half\""), "names sorted: " + header);

        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertEquals(Map.of("format", "pt", "note", "ü"), st.metadata());
            assertEquals(List.of("a.float", "b.bf16", "c.u8", "d.i32", "e.f64", "f.bool", "g.empty", "m.long",
                    "z.half"), st.tensors().stream().map(TensorInfo::name).toList());
            for (TensorInfo info : st.tensors()) {
                assertEquals(0, info.begin() % info.dtype().byteSize(), info + " aligned");
            }
            assertArrayEquals(new float[] {1.5f, -2f, 3.25f, 0f, 1e-3f, 7f}, st.readFloats("a.float"));
            assertArrayEquals(new long[] {2, 3}, st.info("a.float").shape());
            assertArrayEquals(new float[] {1f, -2f}, st.readFloats("b.bf16"));
            assertArrayEquals(new float[] {1f, -2f, 0.5f}, st.readFloats("z.half"));
            assertArrayEquals(new long[] {0, 200, 255}, st.readLongs("c.u8"));
            assertArrayEquals(new long[] {-1}, st.readLongs("d.i32"));
            assertArrayEquals(new float[] {2.5f}, st.readFloats("e.f64"));
            assertArrayEquals(new long[] {1, 0}, st.readLongs("f.bool"));
            assertEquals(0, st.readFloats("g.empty").length);
            assertArrayEquals(new long[] {49406, -1, Long.MAX_VALUE}, st.readLongs("m.long"));
            assertEquals(6 + 2 + 3 + 1 + 1 + 2 + 3 + 3, st.totalParameters());
        }
    }

    @Test
    void overwritingKeepsNoPartialFileBehind() throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.write(file, Map.of("x", HostTensor.ofFloats(new float[] {1}, 1)), Map.of());
        SafetensorsWriter.write(file, Map.of("y", HostTensor.ofFloats(new float[] {2}, 1)), Map.of());
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertEquals(List.of("y"), List.copyOf(st.names()));
        }
        try (var list = Files.list(dir)) {
            assertEquals(List.of(file), list.toList());
        }
    }

    @Test
    void rejectsEmptyAndTooShortFiles() throws IOException {
        assertRejected(write(new byte[0]), "the file is empty");
        assertRejected(write(new byte[] {1, 2, 3}), "only 3 bytes");
    }

    @Test
    void rejectsAbsurdOrTruncatedHeaderLengths() throws IOException {
        assertRejected(write(header(-5L, "")), "absurd");
        assertRejected(write(header(200L * 1024 * 1024, "{}")), "absurd");
        assertRejected(write(header(4096, "{}")), "truncated");
    }

    @Test
    void rejectsMalformedHeaders() throws IOException {
        assertRejected(file("not json at all", 0), "not valid safetensors JSON");
        assertRejected(file("[1,2]", 0), "not a JSON object");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}} trailing", 4),
                "not valid safetensors JSON");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "'a' is listed twice");
        assertRejected(file("{\"a\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "unknown dtype 'Q7'");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4), "negative");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4), "lacks shape");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", 4), "invalid data_offsets");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4),
                "not valid safetensors JSON");
        assertRejected(file("{\"a\":5}", 0), "not an object");
        assertRejected(file("{\"__metadata__\":{\"k\":{\"x\":1}}}", 0), "not a string");
    }

    @Test
    void rejectsDataThatDoesNotFitTheHeader() throws IOException {
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8),
                "the file is truncated");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", 20),
                "needs 24 bytes but its data_offsets span 20");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12), "overlap");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[2,6]}}", 8),
                "not a multiple of its 4-byte element size");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,4]}}",
                4), "impossibly large shape");
    }

    @Test
    void asksForMissingTensorsByName() throws IOException {
        Path file = dir.resolve("one.safetensors");
        SafetensorsWriter.write(file, Map.of("x", HostTensor.ofFloats(new float[] {1}, 1)), Map.of());
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            SafetensorsException e = assertThrows(SafetensorsException.class, () -> st.read("unet.y"));
            assertEquals("one.safetensors: has no tensor named 'unet.y'", e.getMessage());
        }
        assertRejected(dir.resolve("absent.safetensors"), "no such file");
    }

    @Test
    void corruptedBytesNeverEscapeAsAnythingButAClearError() throws IOException {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        tensors.put("w", HostTensor.ofFloats(new float[] {1, 2, 3, 4}, 2, 2));
        tensors.put("ids", HostTensor.ofLongs(new long[] {5, 6}, 2));
        Path good = dir.resolve("good.safetensors");
        SafetensorsWriter.write(good, tensors, Map.of("format", "pt"));
        byte[] original = Files.readAllBytes(good);
        Random random = new Random(42);
        Path mutated = dir.resolve("mutated.safetensors");
        for (int trial = 0; trial < 2000; trial++) {
            byte[] bytes = original.clone();
            int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            int length = random.nextInt(10) == 0 ? random.nextInt(bytes.length) : bytes.length;
            Files.write(mutated, java.util.Arrays.copyOf(bytes, length));
            try (SafetensorsFile st = SafetensorsFile.open(mutated)) {
                for (String name : st.names()) {
                    st.read(name).toDoubleArray();
                }
            } catch (SafetensorsException expected) {
                assertTrue(expected.getMessage().startsWith("mutated.safetensors: "), expected.getMessage());
                assertFalse(expected.getMessage().contains("\n"));
            }
        }
    }

    @Test
    void readsEveryGoldenModelFileHeader() throws IOException {
        Path golden = org.diffij.parity.Golden.manifest().root().resolve("models");
        try (var files = Files.walk(golden)) {
            List<Path> all = files.filter(p -> p.toString().endsWith(".safetensors")).toList();
            assertFalse(all.isEmpty());
            for (Path p : all) {
                try (SafetensorsFile st = SafetensorsFile.open(p)) {
                    assertTrue(st.tensors().size() > 0, p.toString());
                }
            }
        }
    }

    private static HostTensor tensor(DType dtype, long[] shape, byte[] bytes) {
        return new HostTensor(dtype, shape, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
    }

    private static byte[] le(long bits) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(bits).array();
    }

    private static byte[] header(long declaredLength, String json) {
        byte[] text = json.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + text.length).order(ByteOrder.LITTLE_ENDIAN).putLong(declaredLength).put(text)
                .array();
    }

    private Path file(String json, int dataBytes) throws IOException {
        byte[] text = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.allocate(8 + text.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(text.length).put(text);
        return write(buffer.array());
    }

    private Path write(byte[] bytes) throws IOException {
        Path file = dir.resolve("bad.safetensors");
        Files.write(file, bytes);
        return file;
    }

    private static void assertRejected(Path file, String problem) {
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(file).close());
        assertTrue(e.getMessage().startsWith(file.getFileName() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), "expected '" + problem + "' in: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
}
