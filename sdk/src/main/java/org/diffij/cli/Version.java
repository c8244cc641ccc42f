package org.diffij.cli;

import org.diffij.DiffijVersion;
import picocli.CommandLine;

/** The version printed by {@code --version}: {@link DiffijVersion#label()}, what results record. */
public final class Version implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        return new String[] {DiffijVersion.label()};
    }
}
