package org.diffij.plugin;

import ij.ImagePlus;
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
    protected ImagePlus generate(ImagePlus source, CommandParameters parameters, Operations operations) {
        RequestFields.declare(parameters, RequestFields.MODEL_SIZE, RequestFields.MODEL_SIZE);
        LivePreview.declare(parameters);
        if (!parameters.show()) {
            return null;
        }
        GenerationRequest request = RequestFields.read(title(), parameters);
        try (LivePreview preview = LivePreview.read(parameters)) {
            return operations.generate(title(), request, preview);
        }
    }
}
