package org.diffij.plugin.scijava;

import ij.ImagePlus;
import java.nio.file.Path;
import org.diffij.plugin.TrainingOperations;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;

/** What a scripted training run gives back: the file written, or the checkpoint of a stopped run, and its plots. */
abstract class TrainingOutputs implements Command {

    @Parameter
    DiffusionService diffusion;

    /** The first output written (the file or folder the run trained), empty when the run was stopped. */
    @Parameter(type = ItemIO.OUTPUT)
    String trained;

    /** The checkpoint Resume Training continues, written when the run was stopped (Esc); else empty. */
    @Parameter(type = ItemIO.OUTPUT)
    String resumeCheckpoint;

    @Parameter(type = ItemIO.OUTPUT)
    ImagePlus lossPlot;

    /** The validation images as a stack labelled with step and prompt; null without sample prompts. */
    @Parameter(type = ItemIO.OUTPUT, required = false)
    ImagePlus samples;

    void done(TrainingOperations.Outcome outcome) {
        trained = outcome.result().finished() ? outcome.result().outputs().get(0).toString() : "";
        Path stopped = outcome.result().checkpoint();
        resumeCheckpoint = outcome.result().finished() || stopped == null ? "" : stopped.toString();
        lossPlot = outcome.lossPlot();
        samples = outcome.samples();
    }
}
