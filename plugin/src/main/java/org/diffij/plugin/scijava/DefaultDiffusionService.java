package org.diffij.plugin.scijava;

import ij.ImagePlus;
import ij.measure.Calibration;
import org.diffij.engine.DiffijEngine;
import org.diffij.pipelines.GenerationRequest;
import org.diffij.pipelines.Generator;
import org.diffij.plugin.DiffusionSettings;
import org.diffij.plugin.GenerationRun;
import org.diffij.plugin.WindowImages;
import org.scijava.plugin.Plugin;
import org.scijava.service.AbstractService;
import org.scijava.service.Service;

/** The {@link DiffusionService} over the same settings, engine and generation run as the menu commands. */
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
    public Generator generator() {
        DiffusionSettings settings = settings();
        settings.applyToEngine();
        return settings.generator();
    }

    @Override
    public ImagePlus generate(GenerationRequest request) {
        DiffusionSettings settings = settings();
        settings.applyToEngine();
        return GenerationRun.image("Diffusion", settings, request, new WindowImages(), new Calibration(), null);
    }
}
