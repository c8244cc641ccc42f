package org.diffij.plugin.scijava;

import ij.ImagePlus;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Generate with ControlNet... for scripts: {@code controls} as in the macro key
 * ({@code type|model|image title|scale|start|end; ...}); {@code source} is one of the control images.
 */
@Plugin(type = Command.class, label = "Diffusion: Generate with ControlNet", headless = true)
public final class GenerateWithControlNet extends RequestCommand {

    @Parameter(label = "Control image", persist = false)
    ImagePlus source;

    @Parameter(label = "Controls", persist = false)
    String controls;

    @Override
    public void run() {
        image = diffusion.operations().withControlNet("Generate with ControlNet", source,
                request("Generate with ControlNet"), controls, null);
    }
}
