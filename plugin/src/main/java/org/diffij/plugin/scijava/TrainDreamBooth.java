package org.diffij.plugin.scijava;

import org.diffij.plugin.TrainDreamBoothCommand;
import org.scijava.command.Command;
import org.scijava.plugin.Plugin;

/** Train > DreamBooth... for scripts: a fine-tuned model, the same request as the menu command's for the same keys. */
@Plugin(type = Command.class, label = "Diffusion: Train DreamBooth", headless = true)
public final class TrainDreamBooth extends MethodTraining {

    public TrainDreamBooth() {
        super("Train DreamBooth", new TrainDreamBoothCommand());
    }
}
