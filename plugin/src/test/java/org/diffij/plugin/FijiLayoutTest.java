package org.diffij.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Fiji.app layout the build assembles (plugin/pom.xml, phase generate-test-resources): one folder per
 * platform holding exactly that platform's libtorch jar, the platform-independent jars in jars/, and DJL
 * choosing the running platform's libtorch when, as Fiji's launcher does, every jars/&lt;platform&gt;/ folder
 * is on the class path.
 */
class FijiLayoutTest {

    private static final String NATIVE_PROPERTIES = "native/lib/pytorch.properties";

    private static Path fijiApp() {
        String dir = System.getProperty("diffij.fiji.app");
        assertNotNull(dir, "the plugin pom's surefire sets diffij.fiji.app");
        Path app = Path.of(dir);
        assertTrue(Files.isDirectory(app.resolve("jars")), "the build assembles " + app + "/jars before the tests");
        return app;
    }

    private static List<String> fileNames(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        }
    }

    private static boolean holds(Path jar, String entry) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return zip.getEntry(entry) != null;
        }
    }

    private static Path onlyJar(Path dir, String prefix) throws IOException {
        List<String> matching = fileNames(dir).stream().filter(name -> name.startsWith(prefix)).toList();
        assertEquals(1, matching.size(), dir + " holds " + matching);
        return dir.resolve(matching.get(0));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "linux64, linux-x86_64, libtorch_cpu.so,     libdjl_torch.so",
        "win64,   win-x86_64,   torch_cpu.dll,       djl_torch.dll",
        "macosx,  osx-aarch64,  libtorch_cpu.dylib,  libdjl_torch.dylib",
    })
    void eachPlatformFolderHoldsExactlyItsLibtorchAndTheJniJarItsJniLibrary(
            String fijiPlatform, String djlClassifier, String libtorch, String jniLibrary) throws IOException {
        Path jars = fijiApp().resolve("jars");
        List<String> files = fileNames(jars.resolve(fijiPlatform));
        assertEquals(1, files.size(), "jars/" + fijiPlatform + " holds " + files);
        String jar = files.get(0);
        assertTrue(jar.startsWith("pytorch-native-cpu-") && jar.endsWith("-" + djlClassifier + ".jar"), jar);
        Path nativeJar = jars.resolve(fijiPlatform).resolve(jar);
        assertTrue(holds(nativeJar, "pytorch/cpu/" + djlClassifier + "/" + libtorch), jar + " lacks " + libtorch);
        assertEquals(djlClassifier, nativeProperties(nativeJar).getProperty("classifier"), jar);

        Path jni = onlyJar(jars, "pytorch-jni-");
        assertTrue(holds(jni, "jnilib/" + djlClassifier + "/cpu/" + jniLibrary), jni + " lacks " + jniLibrary);
    }

    @Test
    void jarsHoldsThePlatformIndependentLibrariesAndNoLibtorch() throws IOException {
        Path jars = fijiApp().resolve("jars");
        List<String> shared = fileNames(jars).stream().filter(name -> name.endsWith(".jar")).toList();
        assertTrue(shared.stream().noneMatch(name -> name.startsWith("pytorch-native-")),
                "libtorch belongs in the platform folders only: " + shared);
        for (String library : List.of("api-", "pytorch-engine-", "pytorch-jni-")) {
            onlyJar(jars, library);
        }
        try (Stream<Path> all = Files.walk(jars)) {
            List<String> natives = all.map(path -> path.getFileName().toString())
                    .filter(name -> name.startsWith("pytorch-native-")).toList();
            assertEquals(3, natives.size(), "one libtorch per platform folder, none twice: " + natives);
        }
    }

    @Test
    void theWindowsAndMacLibtorchAreOnNoTestClassPath() throws IOException {
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            assertTrue(!entry.contains("win-x86_64") && !entry.contains("osx-aarch64"), entry);
        }
        List<URL> natives = Collections.list(getClass().getClassLoader().getResources(NATIVE_PROPERTIES));
        assertEquals(1, natives.size(), natives.toString());
    }

    /** Fiji's launcher puts jars/*.jar and jars/*&#47;*.jar on the class path: DJL must take this system's libtorch. */
    @Test
    void djlChoosesThisPlatformsLibtorchFromTheFullLayout() throws Exception {
        Path jars = fijiApp().resolve("jars");
        String expected = ai.djl.util.Platform.fromSystem("pytorch").getClassifier();
        try (URLClassLoader fiji = layoutLoader(jars, true)) {
            assertEquals(3, Collections.list(fiji.getResources(NATIVE_PROPERTIES)).size());
            assertEquals(expected, detectedClassifier(fiji));
        }
        // The control: without the platform folders DJL finds no libtorch of this system.
        try (URLClassLoader withoutNatives = layoutLoader(jars, false)) {
            assertNotEquals(expected, detectedClassifier(withoutNatives));
        }
    }

    /**
     * The engine starts and computes in a JVM whose DJL comes from the layout only, all platform folders on
     * its class path as Fiji's launcher puts them (the SDK and the libraries Fiji ships from the test's own
     * class path); without the platform folders it finds no libtorch.
     */
    @Test
    void theEngineStartsWithTheFijiLayoutAsItsClassPath() throws Exception {
        Path jars = fijiApp().resolve("jars");
        EngineRun withNatives = engineRun(jars, true);
        assertEquals(0, withNatives.exitCode(), withNatives.output());
        assertTrue(withNatives.output().contains("self-check ok") && withNatives.output().contains("DJL 0.36"),
                withNatives.output());
        EngineRun withoutNatives = engineRun(jars, false);
        assertNotEquals(0, withoutNatives.exitCode(), withoutNatives.output());
        assertTrue(withoutNatives.output().contains("engine could not be started"), withoutNatives.output());
    }

    private record EngineRun(int exitCode, String output) {
    }

    private static EngineRun engineRun(Path jars, boolean withPlatformFolders) throws Exception {
        List<String> classPath = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            // DJL comes from the layout alone.
            if (!Path.of(entry).toAbsolutePath().toString().contains("/ai/djl/")) {
                classPath.add(entry);
            }
        }
        try (Stream<Path> all = Files.walk(jars, withPlatformFolders ? 2 : 1)) {
            all.filter(path -> path.toString().endsWith(".jar")).sorted().forEach(jar -> classPath.add(jar.toString()));
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-cp", String.join(File.pathSeparator, classPath),
                "-Dai.djl.offline=true", "-Ddiffij.home=" + System.getProperty("diffij.home"),
                "org.diffij.cli.DiffijCli", "engine").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the engine run did not end");
        return new EngineRun(process.exitValue(), output);
    }

    private static URLClassLoader layoutLoader(Path jars, boolean withPlatformFolders) throws IOException {
        List<URL> urls = new ArrayList<>();
        try (Stream<Path> all = Files.walk(jars, withPlatformFolders ? 2 : 1)) {
            for (Path jar : all.filter(path -> path.toString().endsWith(".jar")).sorted().toList()) {
                urls.add(jar.toUri().toURL());
            }
        }
        // slf4j is one of the libraries Fiji itself ships (not part of the assembly).
        urls.add(org.slf4j.LoggerFactory.class.getProtectionDomain().getCodeSource().getLocation());
        return new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }

    /** DJL's platform detection run inside {@code loader}, with it as the context class loader (as Diffij sets it). */
    private static String detectedClassifier(ClassLoader loader) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            Class<?> platform = Class.forName("ai.djl.util.Platform", true, loader);
            assertEquals(loader, platform.getClassLoader(), "DJL loaded from the layout");
            Object detected;
            try {
                detected = platform.getMethod("detectPlatform", String.class).invoke(null, "pytorch");
            } catch (java.lang.reflect.InvocationTargetException e) {
                return "none (" + e.getCause() + ")";
            }
            boolean placeholder = (boolean) platform.getMethod("isPlaceholder").invoke(detected);
            String classifier = (String) platform.getMethod("getClassifier").invoke(detected);
            return placeholder ? "placeholder " + classifier : classifier;
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static Properties nativeProperties(Path jar) {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            Properties properties = new Properties();
            try (InputStream in = zip.getInputStream(zip.getEntry(NATIVE_PROPERTIES))) {
                properties.load(in);
            }
            return properties;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
