package org.diffij;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The software version every front end reports and records (the CLI's {@code --version}, Fiji's
 * results, trained files): the project version Maven writes into {@code version.properties} inside
 * the SDK, so that the CLI jar, the SDK jar Fiji loads and the test class path all tell the same.
 * (A jar manifest would not: Fiji's SDK jar is not the CLI's shaded one.)
 */
public final class DiffijVersion {

    private static final String UNKNOWN = "development build";
    private static final String VERSION = read();

    private DiffijVersion() {
    }

    /** The version alone, e.g. {@code 0.1.0}; "development build" where the resource was not built. */
    public static String current() {
        return VERSION;
    }

    /** What results record as their software: {@code Diffij <version>}. */
    public static String label() {
        return "Diffij " + VERSION;
    }

    private static String read() {
        try (InputStream in = DiffijVersion.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return UNKNOWN;
            }
            Properties properties = new Properties();
            properties.load(in);
            String version = properties.getProperty("version", "").strip();
            return version.isEmpty() || version.startsWith("${") ? UNKNOWN : version;
        } catch (IOException e) {
            return UNKNOWN;
        }
    }
}
