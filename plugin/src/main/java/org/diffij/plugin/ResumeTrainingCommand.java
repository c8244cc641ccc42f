package org.diffij.plugin;

import ij.ImagePlus;
import java.nio.file.Path;
import org.diffij.DiffijException;

/**
 * {@code Train > Resume Training...}: continues a stopped run from its checkpoint (key
 * {@code checkpoint}, the {@code <output>-checkpoint.safetensors} a stopped run wrote) to the result
 * an uninterrupted run gives. The request is the checkpoint's own; the data it names must be open
 * (or in its folder) and unchanged, or the resume is refused.
 */
public final class ResumeTrainingCommand extends TrainingCommand {

    @Override
    protected String title() {
        return "Resume Training";
    }

    @Override
    protected TrainingOperations.Outcome apply(ImagePlus source, CommandParameters parameters) {
        parameters.addString("checkpoint (<output>-checkpoint.safetensors)", "", 40);
        if (!parameters.show()) {
            return null;
        }
        String checkpoint = parameters.nextString().strip();
        if (checkpoint.isEmpty()) {
            throw new DiffijException("no checkpoint given: checkpoint=[<output>-checkpoint.safetensors]");
        }
        return new TrainingOperations(DiffusionSettings.load()).resume(title(), Path.of(checkpoint), source);
    }
}
