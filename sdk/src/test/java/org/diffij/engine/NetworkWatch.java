package org.diffij.engine;

import java.io.IOException;
import java.net.Proxy;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Run in a fresh JVM: records every http(s) URL opened while the engine starts (through a URL handler
 * factory, which DJL cannot bypass the way it bypasses proxy selection), then prints them.
 * Argument {@code diffij} starts the engine as Diffij does; {@code raw} starts DJL directly, the
 * control that proves the watch would see DJL's requests.
 */
public final class NetworkWatch {

    private NetworkWatch() {
    }

    public static void main(String[] args) throws Exception {
        List<URL> requested = new CopyOnWriteArrayList<>();
        URLStreamHandler refusing = new URLStreamHandler() {
            @Override
            protected URLConnection openConnection(URL url) throws IOException {
                requested.add(url);
                throw new IOException("network access attempted: " + url);
            }

            @Override
            protected URLConnection openConnection(URL url, Proxy proxy) throws IOException {
                return openConnection(url);
            }
        };
        URL.setURLStreamHandlerFactory(protocol -> protocol.startsWith("http") ? refusing : null);
        if (args[0].equals("diffij")) {
            DiffijEngine.get().queue().run("probe", ctx -> ctx.manager().ones(new ai.djl.ndarray.types.Shape(2))
                    .sum().getFloat());
        } else {
            ai.djl.engine.Engine.getEngine("PyTorch");
        }
        Thread.sleep(1500);
        requested.forEach(url -> System.out.println("URL " + url));
        System.out.println("done");
        System.exit(0);
    }
}
