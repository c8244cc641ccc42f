package org.diffij.plugin;

import ij.ImagePlus;
import org.diffij.training.TrainingRequest;

/** {@code Train > Textual Inversion...}: an embedding for a new token; the data defaults to the current image's ROIs when it has an overlay. */
public final class TrainTextualInversionCommand extends MethodTrainingCommand {

    @Override
    protected String title() {
        return "Textual Inversion...";
    }

    @Override
    protected TrainingRequest.Method method() {
        return TrainingRequest.Method.TI;
    }

    @Override
    protected String defaultData(ImagePlus source) {
        return source != null && source.getOverlay() != null && source.getOverlay().size() > 0
                ? "rois:" + source.getTitle() : super.defaultData(source);
    }

    @Override
    protected String defaultOutput(String imageName) {
        return imageName + "-embedding.safetensors";
    }
}
