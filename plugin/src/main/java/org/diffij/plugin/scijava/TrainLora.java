package org.diffij.plugin.scijava;

import org.diffij.plugin.TrainLoraCommand;
import org.scijava.command.Command;
import org.scijava.plugin.Plugin;

/** Train > LoRA... for scripts: a LoRA, the same request as the menu command's for the same keys. */
@Plugin(type = Command.class, label = "Diffusion: Train LoRA", headless = true)
public final class TrainLora extends MethodTraining {

    public TrainLora() {
        super("Train LoRA", new TrainLoraCommand());
    }
}
