package org.diffij.io.pickle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.diffij.DiffijException;
import org.diffij.io.DType;
import org.diffij.io.HostTensor;
import org.diffij.io.SafetensorsFile;
import org.diffij.io.WeightFile;
import org.diffij.parity.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorchPickleFileTest {

    @TempDir
    Path dir;

    @Test
    void goldenA1111EmbeddingGivesTheTensorsOfItsSafetensorsTwin() {
        Path folder = Golden.manifest().root().resolve("models/textual_inversion");
        try (WeightFile pickle = WeightFile.open(folder.resolve("cat-toy-a1111.pt"));
                SafetensorsFile twin = SafetensorsFile.open(folder.resolve("cat-toy-a1111.safetensors"))) {
            assertInstanceOf(TorchPickleFile.class, pickle);
            assertEquals(List.of("string_to_param.*", "string_to_token.*"), List.copyOf(pickle.names()));
            assertArrayEquals(twin.read("emb_params").toFloatArray(), pickle.read("string_to_param.*").toFloatArray());
            assertArrayEquals(new long[] {3, 32}, pickle.info("string_to_param.*").shape());
            assertArrayEquals(new long[] {265}, pickle.read("string_to_token.*").toLongArray());
            assertEquals("\"cat-toy\"", pickle.metadata().get("name"));
        }
    }

    @Test
    void goldenHypernetworksGiveTheTensorsAndFieldsOfTheirFlattenedTwins() throws IOException {
        Path folder = Golden.manifest().root().resolve("models/hypernetworks");
        for (String stem : List.of("tiny-sd15-hn-linear", "tiny-sd15-hn-relu")) {
            try (WeightFile pickle = WeightFile.open(folder.resolve(stem + ".pt"));
                    SafetensorsFile twin = SafetensorsFile.open(folder.resolve(stem + ".safetensors"))) {
                assertEquals(twin.names(), pickle.names(), stem);
                for (String name : twin.names()) {
                    assertEquals(twin.info(name).dtype(), pickle.info(name).dtype(), name);
                    assertArrayEquals(twin.info(name).shape(), pickle.info(name).shape(), name);
                    assertEquals(twin.read(name).bytes(), pickle.read(name).bytes(), name);
                }
                Map<String, String> fields = new LinkedHashMap<>(twin.metadata());
                fields.keySet().removeAll(List.of("format", "sizes"));
                assertEquals(fields, pickle.metadata(), stem);
            }
        }
    }

    @Test
    void writerOutputReadsBackAsTheSameValuesAndTensors() {
        HostTensor weight = HostTensor.ofFloats(new float[] {1, -2, 3.5f, 4, 5, 6}, 2, 3);
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("string_to_token", Map.of("*", HostTensor.ofLongs(new long[] {265})));
        value.put("string_to_param", Map.of("*", weight));
        value.put("shared", weight);
        value.put("name", "cät \"toy\"\n");
        value.put("step", 3);
        value.put("big", 1L << 40);
        value.put("negative", -70000);
        value.put("lr", 5e-5);
        value.put("flags", new ArrayList<>(Arrays.asList(true, false, null, 1.0, List.of())));
        Map<Object, Object> hypernetwork = new LinkedHashMap<>();
        hypernetwork.put(32L, PickleTuple.of(Map.of("linear.0.weight", tensorOf(DType.F16, 4)),
                Map.of("linear.0.weight", tensorOf(DType.BF16, 4))));
        value.put("modules", hypernetwork);
        for (DType dtype : List.of(DType.F64, DType.I32, DType.I16, DType.I8, DType.U8, DType.BOOL)) {
            value.put("dtype_" + dtype, tensorOf(dtype, 3));
        }
        Path file = dir.resolve("saved.pt");
        TorchPickleWriter.write(file, value);
        try (TorchPickleFile read = TorchPickleFile.open(file)) {
            assertEquals("torch zip pickle", read.format());
            Map<?, ?> root = (Map<?, ?>) read.root();
            assertEquals(List.copyOf(value.keySet()), List.copyOf(root.keySet()));
            assertEquals("cät \"toy\"\n", root.get("name"));
            assertEquals(3L, root.get("step"));
            assertEquals(1L << 40, root.get("big"));
            assertEquals(-70000L, root.get("negative"));
            assertEquals(5e-5, root.get("lr"));
            assertEquals(Arrays.asList(true, false, null, 1.0, List.of()), root.get("flags"));
            PickleTuple pair = (PickleTuple) ((Map<?, ?>) root.get("modules")).get(32L);
            assertEquals(2, pair.size());
            assertSame(read.tensorObjects().get("shared").storage(), read.tensorObjects().get("string_to_param.*").storage());
            assertEquals("\"c\\u00e4t \\\"toy\\\"\\n\"", read.metadata().get("name"));
            assertEquals("[true, false, null, 1.0, []]", read.metadata().get("flags"));
            assertEquals("5e-05", read.metadata().get("lr"));
            for (String name : List.of("string_to_param.*", "shared", "string_to_token.*", "modules.32.0.linear.0.weight",
                    "modules.32.1.linear.0.weight", "dtype_F64", "dtype_BOOL", "dtype_I8")) {
                assertTrue(read.names().contains(name), name + " in " + read.names());
            }
            assertEquals(weight.bytes(), read.read("shared").bytes());
            assertEquals(DType.BF16, read.info("modules.32.1.linear.0.weight").dtype());
            for (DType dtype : List.of(DType.F64, DType.I32, DType.I16, DType.I8, DType.U8, DType.BOOL)) {
                assertEquals(tensorOf(dtype, 3).bytes(), read.read("dtype_" + dtype).bytes(), dtype.toString());
            }
        }
    }

    @Test
    void stridedViewsOffsetsAndBigEndianStoragesReadAsContiguousLittleEndianTensors() throws IOException {
        ByteBuffer little = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer big = ByteBuffer.allocate(24).order(ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < 6; i++) {
            little.putFloat(i);
            big.putFloat(i);
        }
        byte[] pickle = PickleBytes.protocol2().op('}').op('(')
                .str("transposed").tensor("FloatStorage", "0", 6, 0, new long[] {3, 2}, new long[] {1, 3})
                .str("offset").tensor("FloatStorage", "0", 6, 1, new long[] {2}, new long[] {2})
                .str("expanded").tensor("FloatStorage", "0", 6, 0, new long[] {2, 3}, new long[] {0, 1})
                .str("scalar").tensor("FloatStorage", "0", 6, 5, new long[] {}, new long[] {})
                .op('u').stop();
        for (boolean bigEndian : new boolean[] {false, true}) {
            Map<String, byte[]> entries = PickleBytes.archive(pickle, Map.of("0", (bigEndian ? big : little).array()));
            entries.put("archive/byteorder", (bigEndian ? "big" : "little").getBytes(StandardCharsets.US_ASCII));
            try (WeightFile file = WeightFile.open(PickleBytes.zip(dir.resolve("views.pt"), entries))) {
                assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, file.read("transposed").toFloatArray());
                assertArrayEquals(new float[] {1, 3}, file.read("offset").toFloatArray());
                assertArrayEquals(new float[] {0, 1, 2, 0, 1, 2}, file.read("expanded").toFloatArray());
                assertArrayEquals(new float[] {5}, file.read("scalar").toFloatArray());
            }
        }
    }

    @Test
    void legacyFormatIsRead() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(8 + 16).order(ByteOrder.LITTLE_ENDIAN).putLong(4);
        for (int i = 0; i < 4; i++) {
            data.putFloat(i + 0.5f);
        }
        Path file = dir.resolve("legacy.pt");
        Files.write(file, legacy(data.array()));
        try (WeightFile read = WeightFile.open(file)) {
            assertEquals("torch legacy pickle", read.format());
            assertArrayEquals(new float[] {0.5f, 1.5f, 2.5f, 3.5f}, read.read("w").toFloatArray());
            assertArrayEquals(new float[] {2.5f, 3.5f}, read.read("view").toFloatArray());
        }
        assertRejected(writeBytes("legacy-cut.pt", Arrays.copyOf(legacy(data.array()), legacy(data.array()).length - 3)),
                "truncated");
    }

    /** torch's pre-1.6 layout: magic, protocol, system info, the object, the storage keys, the storages. */
    private static byte[] legacy(byte[] storages) {
        byte[] magic = PickleBytes.protocol2().op(0x8a).op(10)
                .raw(new byte[] {0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19})
                .stop();
        byte[] protocol = PickleBytes.protocol2().op('M').op(0xe9).op(0x03).stop();
        byte[] info = PickleBytes.protocol2().op('}').str("little_endian").op(0x88).op('s').stop();
        PickleBytes object = PickleBytes.protocol2().op('}').op('(');
        object.str("w").global("torch._utils", "_rebuild_tensor_v2").op('(')
                .op('(').str("storage").global("torch", "FloatStorage").str("7").str("cpu").integer(4).op('N').op('t')
                .op('Q').integer(0).ints(4).ints(1).op(0x89).global("collections", "OrderedDict").op(')').op('R')
                .op('t').op('R');
        object.str("view").global("torch._utils", "_rebuild_tensor_v2").op('(')
                .op('(').str("storage").global("torch", "FloatStorage").str("7").str("cpu").integer(4)
                .op('(').str("8").integer(2).integer(2).op('t').op('t')
                .op('Q').integer(0).ints(2).ints(1).op(0x89).global("collections", "OrderedDict").op(')').op('R')
                .op('t').op('R');
        byte[] keys = PickleBytes.protocol2().op(']').str("7").op('a').stop();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] part : List.of(magic, protocol, info, object.op('u').stop(), keys, storages)) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    @Test
    void globalsOutsideTheAllowListAreRefusedByName() throws IOException {
        for (String[] global : new String[][] {{"os", "system"}, {"builtins", "eval"}, {"subprocess", "Popen"},
            {"posix", "system"}, {"__builtin__", "getattr"}, {"torch", "load"}, {"numpy", "load"}}) {
            byte[] pickle = PickleBytes.protocol2().global(global[0], global[1]).str("echo pwned").op(0x85).op('R').stop();
            Path file = zipWith("evil.pt", pickle);
            DiffijException e = assertRejected(file, "refers to " + global[0] + "." + global[1] + ", which Diffij never runs");
            assertTrue(e.getMessage().contains(".safetensors"), e.getMessage());
            byte[] stacked = PickleBytes.protocol2().str(global[0]).str(global[1]).op(0x93).op(')').op('R').stop();
            assertRejected(zipWith("evil4.pt", stacked), "refers to " + global[0] + "." + global[1]);
        }
        assertRejected(zipWith("script.pt", PickleBytes.protocol2().global("__torch__.Net", "Net").stop()),
                "a TorchScript module");
        assertRejected(zipWith("inst.pt", PickleBytes.protocol2().op('(').raw("ios\nsystem\n".getBytes(StandardCharsets.US_ASCII)).stop()),
                "old-style class instance");
    }

    @Test
    void malformedPicklesAreOneLineErrors() throws IOException {
        assertRejected(zipWith("opcode.pt", PickleBytes.protocol2().op(0xff).stop()), "unknown or unsupported pickle opcode 0xff");
        assertRejected(zipWith("empty.pt", new byte[0]), "truncated");
        assertRejected(zipWith("nostop.pt", Arrays.copyOf(PickleBytes.protocol2().op('N').stop(), 3)), "truncated");
        assertRejected(zipWith("huge-string.pt", PickleBytes.protocol2().op('X').raw(PickleBytes.le32(0x7fffffff)).stop()),
                "runs past the end");
        assertRejected(zipWith("huge-long.pt", PickleBytes.protocol2().op(0x8b).raw(PickleBytes.le32(-2)).stop()),
                "runs past the end");
        assertRejected(zipWith("memo.pt", PickleBytes.protocol2().op('h').op(7).stop()), "memo entry 7");
        assertRejected(zipWith("pop.pt", PickleBytes.protocol2().op('0').stop()), "empty stack");
        assertRejected(zipWith("two.pt", PickleBytes.protocol2().op('N').op('N').stop()), "2 values");
        assertRejected(zipWith("key.pt", PickleBytes.protocol2().op('}').op(']').op('N').op('s').stop()),
                "list as a dict key");
        assertRejected(zipWith("call.pt", PickleBytes.protocol2().str("x").op(')').op('R').stop()),
                "not an allowed function");
        assertRejected(zipWith("build.pt", PickleBytes.protocol2().op(']').op('}').op('b').stop()), "sets the state of a list");
    }

    @Test
    void impossibleTensorsAreRefusedWhenTheFileIsOpened() throws IOException {
        long trillion = 1_000_000_000_000L;
        assertRejected(tensorFile(4, 0, new long[] {trillion}, new long[] {0}, 16), "would need 4000000000000 bytes");
        assertRejected(tensorFile(4, 0, new long[] {1L << 62, 1L << 62}, new long[] {1, 1}, 16), "impossibly large");
        assertRejected(tensorFile(4, 2, new long[] {3}, new long[] {1}, 16), "reaches past its storage of 4 elements");
        assertRejected(tensorFile(4, 0, new long[] {2, 2}, new long[] {3, 1}, 16), "reaches past its storage");
        assertRejected(tensorFile(4, 0, new long[] {-1}, new long[] {1}, 16), "negative");
        assertRejected(tensorFile(4, 0, new long[] {4}, new long[] {1}, 12), "holds 12 bytes but the pickle declares 4");
        assertRejected(tensorFile(trillion, 0, new long[] {4}, new long[] {1}, 16), "declares 1000000000000");
        byte[] missing = PickleBytes.protocol2().op('}').str("w")
                .tensor("FloatStorage", "9", 1, 0, new long[] {1}, new long[] {1}).op('s').stop();
        assertRejected(zipWith("missing.pt", missing), "has no entry archive/data/9");
        byte[] badKey = PickleBytes.protocol2().op('}').str("w")
                .tensor("FloatStorage", "../../x", 1, 0, new long[] {1}, new long[] {1}).op('s').stop();
        assertRejected(zipWith("badkey.pt", badKey), "storage reference is malformed");
    }

    @Test
    void recursionAndExpansionBombsAreRefused() throws IOException {
        PickleBytes deep = PickleBytes.protocol2().op('}').str("w");
        for (int i = 0; i < 200_000; i++) {
            deep.op(']');
            deep.op('(');
        }
        assertRejected(zipWith("deep.pt", deep.stop()), "400002 values on its stack");
        PickleBytes nested = PickleBytes.protocol2().op('}').str("w").op(']');
        for (int i = 0; i < 100_000; i++) {
            nested.op(']').op(0x85);
        }
        nested.op('s');
        Map<String, byte[]> storages = Map.of("0", new byte[4]);
        PickleBytes nestedWithTensor = PickleBytes.protocol2().op('}').str("w")
                .tensor("FloatStorage", "0", 1, 0, new long[] {}, new long[] {});
        for (int i = 0; i < 100_000; i++) {
            nestedWithTensor.op(0x85);
        }
        assertRejected(zip("nested.pt", PickleBytes.archive(nestedWithTensor.op('s').stop(), storages)), "levels deep");
        byte[] cyclic = PickleBytes.protocol2().op('}').str("w").op(']').op('q').op(0).op('h').op(0).op('a')
                .tensor("FloatStorage", "0", 1, 0, new long[] {}, new long[] {}).op('a').op('s').stop();
        assertRejected(zip("cyclic.pt", PickleBytes.archive(cyclic, storages)), "contains itself");
        PickleBytes doubling = PickleBytes.protocol2().op('}').str("w")
                .tensor("FloatStorage", "0", 1, 0, new long[] {}, new long[] {}).op(0x85).op('q').op(0);
        for (int i = 0; i < 40; i++) {
            doubling.op('0').op('h').op(0).op('h').op(0).op(0x86).op('q').op(0);
        }
        assertRejected(zip("doubling.pt", PickleBytes.archive(doubling.op('s').stop(), storages)), "expands to more than");
        PickleBytes selfKey = PickleBytes.protocol2().op('}').op(']').op('q').op(0).op('h').op(0).op('a')
                .op(0x85).op('N').op('s');
        assertRejected(zipWith("selfkey.pt", selfKey.stop()), "list as a dict key");
    }

    @Test
    void hostileArchivesAreOneLineErrors() throws IOException {
        byte[] good = PickleBytes.protocol2().op('}').str("w")
                .tensor("FloatStorage", "0", 1, 0, new long[] {1}, new long[] {1}).op('s').stop();
        Map<String, byte[]> traversal = PickleBytes.archive(good, Map.of("0", new byte[4]));
        traversal.put("../../etc/cron.d/evil", new byte[1]);
        assertRejected(zip("traversal.pt", traversal), "points outside the archive");
        Map<String, byte[]> absolute = PickleBytes.archive(good, Map.of("0", new byte[4]));
        absolute.put("/etc/passwd", new byte[1]);
        assertRejected(zip("absolute.pt", absolute), "points outside the archive");
        assertRejected(zip("nopickle.pt", Map.of("readme.txt", new byte[3])), "not a torch pickle");
        Map<String, byte[]> two = PickleBytes.archive(good, Map.of("0", new byte[4]));
        two.put("other/data.pkl", good);
        assertRejected(zip("two.pt", two), "holds 2 pickles");

        Path bomb = dir.resolve("bomb.pt");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(bomb))) {
            zip.putNextEntry(new ZipEntry("archive/data.pkl"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 100; i++) {
                zip.write(zeros);
            }
            zip.closeEntry();
        }
        assertTrue(Files.size(bomb) < 1 << 20);
        assertRejected(bomb, "more than the 67108864 Diffij reads");

        Path storageBomb = dir.resolve("storage-bomb.pt");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(storageBomb))) {
            zip.putNextEntry(new ZipEntry("archive/data.pkl"));
            zip.write(good);
            zip.putNextEntry(new ZipEntry("archive/data/0"));
            zip.write(new byte[1 << 24]);
            zip.closeEntry();
        }
        assertRejected(storageBomb, "holds 16777216 bytes but the pickle declares 1");

        byte[] whole = Files.readAllBytes(zip("whole.pt", PickleBytes.archive(good, Map.of("0", new byte[4]))));
        for (int cut : new int[] {4, 30, whole.length / 2, whole.length - 22, whole.length - 1}) {
            assertRejected(writeBytes("cut.pt", Arrays.copyOf(whole, cut)), "cut.pt: ");
        }
    }

    /** Seeded mutations of real pickles (the golden hypernetwork and a written file): errors, never crashes. */
    @Test
    void mutatedPicklesNeverEscapeAsAnythingButAClearError() throws IOException {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("string_to_param", Map.of("*", HostTensor.ofFloats(new float[] {1, 2, 3, 4}, 2, 2)));
        value.put("name", "x");
        value.put("layer_structure", List.of(1.0, 2.0, 1.0));
        Path written = dir.resolve("written.pt");
        TorchPickleWriter.write(written, value);
        List<byte[]> originals = new ArrayList<>(List.of(Files.readAllBytes(written)));
        Path golden = Golden.manifest().root().resolve("models/hypernetworks/tiny-sd15-hn-linear.pt");
        originals.add(Files.readAllBytes(golden));
        Random random = new Random(12);
        Path mutated = dir.resolve("mutated.pt");
        int opened = 0;
        for (int trial = 0; trial < 2000; trial++) {
            byte[] original = originals.get(trial % originals.size());
            byte[] bytes = original.clone();
            int pickleEnd = Math.min(bytes.length, 2400);
            int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                int at = random.nextInt(4) == 0 ? random.nextInt(bytes.length) : random.nextInt(pickleEnd);
                bytes[at] = (byte) random.nextInt(256);
            }
            int length = random.nextInt(10) == 0 ? random.nextInt(bytes.length) : bytes.length;
            Files.write(mutated, Arrays.copyOf(bytes, length));
            try (WeightFile file = WeightFile.open(mutated)) {
                for (String name : file.names()) {
                    file.read(name).toDoubleArray();
                }
                opened++;
            } catch (DiffijException expected) {
                assertTrue(expected.getMessage().startsWith("mutated.pt: "), expected.getMessage());
                assertFalse(expected.getMessage().contains("\n"), expected.getMessage());
            }
        }
        assertTrue(opened > 100 && opened < 1900, "mutations should both break and spare files: " + opened);
    }

    private static HostTensor tensorOf(DType dtype, int n) {
        byte[] bytes = new byte[n * dtype.byteSize()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (dtype == DType.BOOL ? i % 2 : 17 * i + 3);
        }
        return new HostTensor(dtype, new long[] {n}, ByteBuffer.wrap(bytes));
    }

    private Path tensorFile(long numel, long offset, long[] size, long[] stride, int storageBytes) throws IOException {
        byte[] pickle = PickleBytes.protocol2().op('}').str("w")
                .tensor("FloatStorage", "0", numel, offset, size, stride).op('s').stop();
        return zip("tensor.pt", PickleBytes.archive(pickle, Map.of("0", new byte[storageBytes])));
    }

    private Path zipWith(String name, byte[] pickle) throws IOException {
        return zip(name, PickleBytes.archive(pickle, Map.of()));
    }

    private Path zip(String name, Map<String, byte[]> entries) throws IOException {
        return PickleBytes.zip(dir.resolve(name), entries);
    }

    private Path writeBytes(String name, byte[] bytes) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    private static DiffijException assertRejected(Path file, String problem) {
        DiffijException e = assertThrows(DiffijException.class, () -> {
            try (WeightFile f = WeightFile.open(file)) {
                for (String name : f.names()) {
                    f.read(name);
                }
            }
        });
        assertTrue(e.getMessage().startsWith(file.getFileName() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), "expected '" + problem + "' in: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e;
    }
}
