package org.diffij.plugin.scijava;

import ij.ImagePlus;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/** Re-run from Image for scripts: regenerates what {@code source} records, bit for bit. */
@Plugin(type = Command.class, label = "Diffusion: Re-run from Image", headless = true)
public final class RerunFromImage implements Command {

    @Parameter
    DiffusionService diffusion;

    @Parameter(label = "Generated image", persist = false)
    ImagePlus source;

    @Parameter(type = ItemIO.OUTPUT)
    ImagePlus image;

    @Override
    public void run() {
        image = diffusion.operations().rerun("Re-run from Image", source);
    }
}
