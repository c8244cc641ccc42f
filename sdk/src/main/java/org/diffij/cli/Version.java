package org.diffij.cli;

import picocli.CommandLine;

/** The version printed by {@code --version}, from the jar manifest when there is one. */
public final class Version implements CommandLine.IVersionProvider {

    public static String current() {
        String version = Version.class.getPackage().getImplementationVersion();
        return version == null ? "development build" : version;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"Diffij " + current()};
    }
}
