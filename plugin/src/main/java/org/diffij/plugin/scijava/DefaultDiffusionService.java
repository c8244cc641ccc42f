package org.diffij.plugin.scijava;

import ij.ImagePlus;
import org.diffij.engine.DiffijEngine;
import org.diffij.pipelines.GenerationRequest;
import org.diffij.pipelines.Generator;
import org.diffij.plugin.DiffusionSettings;
import org.diffij.plugin.Operations;
import org.diffij.plugin.TrainingOperations;
import org.scijava.plugin.Plugin;
import org.scijava.service.AbstractService;
import org.scijava.service.Service;

/** The {@link DiffusionService} over the same settings, engine and operations as the menu commands. */
@Plugin(type = Service.class)
public final class DefaultDiffusionService extends AbstractService implements DiffusionService {

    @Override
    public DiffusionSettings settings() {
        return DiffusionSettings.load();
    }

    @Override
    public DiffijEngine engine() {
        settings().applyToEngine();
        return DiffijEngine.get();
    }

    @Override
    public Operations operations() {
        return new Operations(settings());
    }

    @Override
    public TrainingOperations training() {
        return new TrainingOperations(settings());
    }

    @Override
    public Generator generator() {
        return operations().generator();
    }

    @Override
    public ImagePlus generate(GenerationRequest request) {
        return operations().generate("Diffusion", request, null);
    }

    /** The engine goes with the context: its worker stops and its models and native memory are freed. */
    @Override
    public void dispose() {
        DiffijEngine.shutdown();
    }
}
