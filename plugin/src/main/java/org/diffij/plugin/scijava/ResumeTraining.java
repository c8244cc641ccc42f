package org.diffij.plugin.scijava;

import ij.ImagePlus;
import java.nio.file.Path;
import org.diffij.DiffijException;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Train > Resume Training... for scripts: continues the run of a checkpoint under the checkpoint's own
 * request; the data it names must be open (or be {@code source}) and unchanged.
 */
@Plugin(type = Command.class, label = "Diffusion: Resume Training", headless = true)
public final class ResumeTraining extends TrainingOutputs {

    @Parameter(label = "Checkpoint (<output>-checkpoint.safetensors)", persist = false)
    String checkpoint = "";

    @Parameter(label = "Source image (when the data names it and it is not an open window)", required = false,
            persist = false)
    ImagePlus source;

    @Override
    public void run() {
        if (checkpoint == null || checkpoint.isBlank()) {
            throw new DiffijException("no checkpoint given: checkpoint=<output>-checkpoint.safetensors");
        }
        done(diffusion.training().resume("Resume Training", Path.of(checkpoint.strip()), source));
    }
}
