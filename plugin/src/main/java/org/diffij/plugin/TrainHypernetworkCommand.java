package org.diffij.plugin;

import org.diffij.training.TrainingRequest;

/** {@code Train > Hypernetwork...}: an A1111 hypernetwork (.pt by default). */
public final class TrainHypernetworkCommand extends MethodTrainingCommand {

    @Override
    protected String title() {
        return "Hypernetwork...";
    }

    @Override
    protected TrainingRequest.Method method() {
        return TrainingRequest.Method.HYPERNETWORK;
    }

    @Override
    protected String defaultOutput(String imageName) {
        return imageName + "-hypernetwork.pt";
    }
}
