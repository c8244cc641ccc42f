package org.diffij.plugin;

import ij.ImagePlus;

/**
 * {@code Re-run from Image}: reads the request a generated image carries ({@link Provenance#request})
 * and generates it again: same model, seed and settings give the same pixels. Init, mask and control
 * images are found again by their window titles. A model whose weights changed since is reported.
 */
public final class RerunCommand extends DiffusionCommand {

    @Override
    protected String title() {
        return "Re-run from Image";
    }

    @Override
    protected boolean needsImage() {
        return true;
    }

    @Override
    protected ImagePlus generate(ImagePlus source, CommandParameters parameters, Operations operations) {
        return operations.rerun(title(), source);
    }
}
