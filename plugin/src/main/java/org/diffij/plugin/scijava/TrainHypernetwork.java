package org.diffij.plugin.scijava;

import org.diffij.plugin.TrainHypernetworkCommand;
import org.scijava.command.Command;
import org.scijava.plugin.Plugin;

/**
 * Train > Hypernetwork... for scripts: an A1111 hypernetwork,
 * the same request as the menu command's for the same keys.
 */
@Plugin(type = Command.class, label = "Diffusion: Train Hypernetwork", headless = true)
public final class TrainHypernetwork extends MethodTraining {

    public TrainHypernetwork() {
        super("Train Hypernetwork", new TrainHypernetworkCommand());
    }
}
