package org.diffij.plugin;

import org.diffij.training.TrainingRequest;

/** {@code Train > DreamBooth...}: a fine-tuned model (a diffusers folder by default) with prior preservation. */
public final class TrainDreamBoothCommand extends MethodTrainingCommand {

    @Override
    protected String title() {
        return "DreamBooth...";
    }

    @Override
    protected TrainingRequest.Method method() {
        return TrainingRequest.Method.DREAMBOOTH;
    }

    @Override
    protected String defaultOutput(String imageName) {
        return imageName + "-dreambooth";
    }
}
