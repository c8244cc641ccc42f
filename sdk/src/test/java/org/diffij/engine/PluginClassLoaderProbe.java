package org.diffij.engine;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Run in a fresh JVM: loads Diffij the way ImageJ 1 loads a plugin — from a class loader of its own,
 * while the thread's context class loader knows nothing of DJL — and runs the engine self-check.
 */
public final class PluginClassLoaderProbe {

    private PluginClassLoaderProbe() {
    }

    public static void main(String[] args) throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            urls.add(Path.of(entry).toUri().toURL());
        }
        ClassLoader platform = ClassLoader.getPlatformClassLoader();
        try (URLClassLoader plugins = new URLClassLoader(urls.toArray(URL[]::new), platform);
                URLClassLoader unrelated = new URLClassLoader(new URL[0], platform)) {
            Thread.currentThread().setContextClassLoader(unrelated);
            Class<?> cli = Class.forName("org.diffij.cli.DiffijCli", true, plugins);
            Object code = cli.getMethod("execute", String[].class).invoke(null, (Object) new String[] {"engine"});
            System.out.println("exit " + code);
        }
        System.exit(0);
    }
}
