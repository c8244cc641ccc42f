package org.diffij.plugin.scijava;

import ij.ImagePlus;
import org.diffij.pipelines.GenerationRequest;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/** Inpaint Selection... for scripts: repaints the area selection of {@code source} into a new image. */
@Plugin(type = Command.class, label = "Diffusion: Inpaint Selection", headless = true)
public final class InpaintSelection extends RequestCommand {

    @Parameter(label = "Source image (with an area selection)", persist = false)
    ImagePlus source;

    @Parameter(label = "Strength", required = false, persist = false)
    double strength = 1;

    @Parameter(label = "Grow (pixels)", required = false, persist = false)
    double grow;

    @Parameter(label = "Feather (pixels)", required = false, persist = false)
    double feather;

    @Parameter(label = "Only masked padding (pixels; -1 = inpaint the whole picture)", required = false,
            persist = false)
    int onlyMaskedPadding = GenerationRequest.WHOLE_PICTURE;

    @Override
    public void run() {
        image = diffusion.operations().inpaint("Inpaint Selection", source, request("Inpaint Selection"), strength,
                grow, feather, onlyMaskedPadding, null);
    }
}
