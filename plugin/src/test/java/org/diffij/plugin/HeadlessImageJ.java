package org.diffij.plugin;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.Menus;
import ij.WindowManager;
import ij.macro.Interpreter;
import java.awt.HeadlessException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;
import org.diffij.parity.GoldenData;

/**
 * ImageJ 1 without a display, as the tests need it: the (partial) command table with the Diffij
 * commands of {@code plugins.config} registered, and macros run by ImageJ's own interpreter.
 */
final class HeadlessImageJ {

    private static boolean ready;

    private HeadlessImageJ() {
    }

    static Path projectRoot() {
        String root = System.getProperty("diffij.project.root");
        assertTrue(root != null, "system property diffij.project.root is not set (the parent pom's surefire sets it)");
        return Path.of(root);
    }

    /** A tiny test model of the golden data, by path. */
    static String model(String name) {
        Path manifest = GoldenData.manifestFile().orElse(null);
        if (manifest == null) {
            // As the SDK's tests: a skip with one line on a developer machine, a failure under CI.
            assertFalse(GoldenData.required(), GoldenData.missingMessage() + " - it is mandatory under CI");
            assumeTrue(false, GoldenData.missingMessage() + " - skipping reference tests");
        }
        Path path = manifest.resolveSibling("models").resolve(name).normalize();
        assertTrue(Files.isDirectory(path), "missing test model " + path);
        return path.toString();
    }

    /**
     * Runs {@code action} with {@code images} open as ImageJ windows are (headless: batch-mode images,
     * which {@code WindowManager.getImage(title)} finds), as a user's open windows during a re-run.
     */
    static synchronized <T> T withOpen(java.util.function.Supplier<T> action, ImagePlus... images) {
        boolean batch = Interpreter.batchMode;
        Interpreter.batchMode = true;
        for (ImagePlus image : images) {
            Interpreter.addBatchModeImage(image);
        }
        try {
            return action.get();
        } finally {
            for (ImagePlus image : images) {
                Interpreter.removeBatchModeImage(image);
            }
            Interpreter.batchMode = batch;
        }
    }

    /** Creates the command table (ImageJ's menu bar fails headless after creating it) and registers our commands. */
    @SuppressWarnings("unchecked")
    static synchronized void registerCommands() {
        if (ready) {
            return;
        }
        if (Menus.getCommands() == null) {
            try {
                IJ.run("Close All");
            } catch (HeadlessException expected) {
                // The command table now exists; the menu bar it was building cannot.
            }
        }
        Hashtable<String, String> commands = Menus.getCommands();
        try {
            for (String line : Files.readAllLines(projectRoot().resolve("plugin/src/main/resources/plugins.config"))) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int open = line.indexOf('"');
                int close = line.indexOf('"', open + 1);
                String label = line.substring(open + 1, close);
                String className = line.substring(line.lastIndexOf(',') + 1).trim();
                commands.put(label, className);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ready = true;
    }

    static String macro(String name) {
        try {
            return Files.readString(projectRoot().resolve("macros").resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a macro run left: the image current at its end (null if none) and what it logged. */
    record MacroRun(ImagePlus image, String log) {
    }

    /**
     * Runs a macro in batch mode with {@code source} (may be null) as the current image, capturing
     * the log (headless, ImageJ logs to standard output).
     */
    static synchronized MacroRun runMacro(String name, ImagePlus source) {
        registerCommands();
        PrintStream console = System.out;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        System.setOut(new PrintStream(log, true, StandardCharsets.UTF_8));
        ImagePlus result;
        try {
            result = new Interpreter().runBatchMacro(macro(name), source);
        } finally {
            System.setOut(console);
            WindowManager.setTempCurrentImage(null);
        }
        String text = log.toString(StandardCharsets.UTF_8);
        console.print(text);
        return new MacroRun(result, text);
    }
}
