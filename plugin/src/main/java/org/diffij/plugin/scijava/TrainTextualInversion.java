package org.diffij.plugin.scijava;

import org.diffij.plugin.TrainTextualInversionCommand;
import org.scijava.command.Command;
import org.scijava.plugin.Plugin;

/**
 * Train > Textual Inversion... for scripts: an embedding (its data defaults to the source's ROIs when it
 * has an overlay), the same request as the menu command's for the same keys.
 */
@Plugin(type = Command.class, label = "Diffusion: Train Textual Inversion", headless = true)
public final class TrainTextualInversion extends MethodTraining {

    public TrainTextualInversion() {
        super("Train Textual Inversion", new TrainTextualInversionCommand());
    }
}
