package org.diffij.plugin.scijava;

import org.scijava.command.Command;
import org.scijava.plugin.Plugin;

/**
 * Generate... for scripts and headless runs: the same request and the same sdk call as the menu
 * command; the new image is the {@code image} output. No menu entry: the menu holds the ImageJ 1
 * command, which the Macro Recorder records.
 */
@Plugin(type = Command.class, label = "Diffusion: Generate", headless = true)
public final class GenerateImage extends RequestCommand {

    @Override
    public void run() {
        image = diffusion.operations().generate("Generate", request("Generate"), null);
    }
}
