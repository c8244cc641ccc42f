package org.diffij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The domain packages never refer to the checking code: parity area runners live in
 * {@code org.diffij.parity}, benchmarks in {@code org.diffij.bench}, and only those packages (and the
 * command line) know both sides. Checked on the compiled classes, so a fully qualified name in the
 * code counts as much as an import.
 */
class DomainPackagesTest {

    private static final List<String> DOMAIN_PACKAGES = List.of("models", "nn", "schedulers", "pipelines", "io",
            "engine", "conditioning", "image", "noise", "text", "hub");

    private static final List<String> CHECKING_PACKAGES = List.of("org/diffij/parity/", "org/diffij/bench/");

    @Test
    void noDomainClassRefersToParityOrBench() throws Exception {
        Path classes = Path.of(DiffijException.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Set<String> offenders = new TreeSet<>();
        int scanned = 0;
        for (String domain : DOMAIN_PACKAGES) {
            Path folder = classes.resolve("org/diffij").resolve(domain);
            assertTrue(Files.isDirectory(folder), "no compiled classes in " + folder);
            List<Path> files;
            try (Stream<Path> walk = Files.walk(folder)) {
                files = walk.filter(p -> p.toString().endsWith(".class")).toList();
            }
            for (Path file : files) {
                scanned++;
                String name = topLevelName(classes.relativize(file));
                if (refersToCheckingCode(file)) {
                    offenders.add(name);
                }
            }
        }
        assertTrue(scanned > 100, "only " + scanned + " domain classes found under " + classes);
        assertEquals(Set.of(), offenders, "domain classes that refer to org.diffij.parity or org.diffij.bench");
    }

    /** The control: a class of the checking code itself is recognised as referring to it. */
    @Test
    void recognisesAReference() throws Exception {
        Path classes = Path.of(DiffijException.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertTrue(refersToCheckingCode(classes.resolve("org/diffij/parity/areas/UNetAreaRunner.class")));
        assertTrue(refersToCheckingCode(classes.resolve("org/diffij/bench/TokenizerBenchmark.class")));
    }

    private static String topLevelName(Path relative) {
        String name = relative.toString().replace('\\', '/').replaceFirst("\\.class$", "").replace('/', '.');
        int nested = name.indexOf('$');
        return nested < 0 ? name : name.substring(0, nested);
    }

    /**
     * Whether any class, field or method type in the class file's constant pool names a class of the
     * checking packages. String literals are not names and are left out.
     */
    static boolean refersToCheckingCode(Path classFile) throws IOException {
        try (InputStream in = Files.newInputStream(classFile); DataInputStream data = new DataInputStream(in)) {
            if (data.readInt() != 0xCAFEBABE) {
                throw new IOException(classFile + ": not a class file");
            }
            data.readUnsignedShort();
            data.readUnsignedShort();
            int count = data.readUnsignedShort();
            String[] utf8 = new String[count];
            Set<Integer> literals = new HashSet<>();
            for (int i = 1; i < count; i++) {
                int tag = data.readUnsignedByte();
                switch (tag) {
                    case 1 -> utf8[i] = data.readUTF();
                    case 8 -> literals.add(data.readUnsignedShort());
                    case 7, 16, 19, 20 -> data.readUnsignedShort();
                    case 15 -> data.skipNBytes(3);
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> data.skipNBytes(4);
                    case 5, 6 -> {
                        data.skipNBytes(8);
                        i++;
                    }
                    default -> throw new IOException(classFile + ": unknown constant pool tag " + tag);
                }
            }
            List<String> names = new ArrayList<>();
            for (int i = 1; i < count; i++) {
                if (utf8[i] != null && !literals.contains(i)) {
                    names.add(utf8[i]);
                }
            }
            return names.stream().anyMatch(n -> CHECKING_PACKAGES.stream().anyMatch(n::contains));
        }
    }
}
