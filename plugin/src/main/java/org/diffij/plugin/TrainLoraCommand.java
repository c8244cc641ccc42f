package org.diffij.plugin;

import org.diffij.training.TrainingRequest;

/** {@code Train > LoRA...}: a LoRA (kohya format by default) from the current stack, ROIs or a folder. */
public final class TrainLoraCommand extends MethodTrainingCommand {

    @Override
    protected String title() {
        return "LoRA...";
    }

    @Override
    protected TrainingRequest.Method method() {
        return TrainingRequest.Method.LORA;
    }

    @Override
    protected String defaultOutput(String imageName) {
        return imageName + "-lora.safetensors";
    }
}
