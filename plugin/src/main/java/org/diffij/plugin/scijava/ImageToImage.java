package org.diffij.plugin.scijava;

import ij.ImagePlus;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/** Image to Image... for scripts: {@code source}, its current slice or all slices (seed fixed or seed + index). */
@Plugin(type = Command.class, label = "Diffusion: Image to Image", headless = true)
public final class ImageToImage extends RequestCommand {

    @Parameter(label = "Source image", persist = false)
    ImagePlus source;

    @Parameter(label = "Strength", required = false, persist = false)
    double strength = 0.75;

    @Parameter(label = "All slices", required = false, persist = false)
    boolean allSlices;

    @Parameter(label = "Seed + slice index", required = false, persist = false)
    boolean seedPlusIndex;

    @Override
    public void run() {
        image = diffusion.operations().imageToImage("Image to Image", source, request("Image to Image"), strength,
                allSlices, seedPlusIndex, null);
    }
}
