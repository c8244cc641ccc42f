package org.diffij.nn;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a TorchScript archive for one parameterless module whose methods are given as TorchScript
 * source, so that libtorch functions DJL does not expose can be called through
 * {@code JniUtils.loadModule}. The archive holds what {@code torch::jit::load} reads: the format
 * {@code version}, the pickled module object ({@code data.pkl}: an instance of the class with its
 * {@code training} attribute), an empty constants table ({@code constants.pkl}) and the class source
 * under {@code code/}, at the path of its qualified name.
 */
final class TorchScriptArchive {

    /** Archive format version; 3 is the oldest libtorch 2.x still loads without upgrading any op we use. */
    private static final String FORMAT_VERSION = "3";
    private static final String ROOT = "diffij_kernels/";

    private TorchScriptArchive() {
    }

    /**
     * The archive of class {@code __torch__.<module>.<className>} with the given method definitions
     * (each a complete {@code def ...} with typed {@code self}).
     */
    static byte[] write(String module, String className, String methods) {
        String source = "class " + className + "(Module):\n"
                + "  __parameters__ = []\n"
                + "  __buffers__ = []\n"
                + "  training : bool\n"
                + methods;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            entry(zip, "version", (FORMAT_VERSION + "\n").getBytes(StandardCharsets.US_ASCII));
            entry(zip, "data.pkl", moduleObjectPickle("__torch__." + module, className));
            entry(zip, "constants.pkl", emptyTuplePickle());
            entry(zip, "code/__torch__/" + module + ".py", source.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void entry(ZipOutputStream zip, String name, byte[] content) throws IOException {
        zip.putNextEntry(new ZipEntry(ROOT + name));
        zip.write(content);
        zip.closeEntry();
    }

    /** Pickle protocol 2: {@code GLOBAL module class, EMPTY_TUPLE, NEWOBJ, {"training": False}, BUILD, STOP}. */
    private static byte[] moduleObjectPickle(String module, String className) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x80);
        out.write(2);
        out.write('c');
        out.writeBytes((module + "\n" + className + "\n").getBytes(StandardCharsets.US_ASCII));
        out.write(')');
        out.write(0x81);
        out.write('}');
        byte[] key = "training".getBytes(StandardCharsets.US_ASCII);
        out.write('X');
        out.write(key.length);
        out.write(0);
        out.write(0);
        out.write(0);
        out.writeBytes(key);
        out.write(0x89);
        out.write('s');
        out.write('b');
        out.write('.');
        return out.toByteArray();
    }

    /** Pickle protocol 2 of {@code ()}. */
    private static byte[] emptyTuplePickle() {
        return new byte[] {(byte) 0x80, 2, ')', '.'};
    }
}
