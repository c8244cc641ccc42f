package org.diffij.plugin;

import ij.ImagePlus;
import ij.measure.Calibration;

/** {@code Generate...}: text to image; a batch becomes a stack, one slice per image. */
public final class GenerateCommand extends DiffusionCommand {

    @Override
    protected String title() {
        return "Generate";
    }

    @Override
    protected boolean needsImage() {
        return false;
    }

    @Override
    protected ImagePlus generate(ImagePlus source, CommandParameters parameters, DiffusionSettings settings) {
        RequestFields.declare(parameters, 512, 512);
        if (!parameters.show()) {
            return null;
        }
        return GenerationRun.image(title(), settings, RequestFields.read(title(), parameters), new WindowImages(),
                new Calibration());
    }
}
