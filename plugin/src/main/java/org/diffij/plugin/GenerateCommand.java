package org.diffij.plugin;

import ij.ImagePlus;
import ij.measure.Calibration;
import org.diffij.pipelines.GenerationRequest;

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
        LivePreview.declare(parameters);
        if (!parameters.show()) {
            return null;
        }
        GenerationRequest request = RequestFields.read(title(), parameters);
        try (LivePreview preview = LivePreview.read(parameters)) {
            return GenerationRun.image(title(), settings, request, new WindowImages(), new Calibration(), preview);
        }
    }
}
