package org.diffij.plugin.scijava;

import ij.ImagePlus;
import org.diffij.engine.DiffijEngine;
import org.diffij.pipelines.GenerationRequest;
import org.diffij.pipelines.Generator;
import org.diffij.plugin.DiffusionSettings;
import org.diffij.plugin.Operations;
import org.diffij.plugin.TrainingOperations;
import org.scijava.service.SciJavaService;

/**
 * Diffij for scripts (Fiji's script editor, headless runs): the settings of Plugins > Diffusion >
 * Settings..., the shared engine, which the service starts with those settings and shuts down when
 * its context is disposed, and the operations the menu commands run. For example, in Groovy:
 * <pre>
 * #@ DiffusionService diffusion
 * import org.diffij.pipelines.GenerationRequest
 * image = diffusion.generate(GenerationRequest.of("sd15", "a cat").withSeed(42))
 * image.show()
 * </pre>
 */
public interface DiffusionService extends SciJavaService {

    /** The settings as they are stored now (model folders, device, threads, memory budget). */
    DiffusionSettings settings();

    /** The shared engine, started with the settings' device, threads and budget. */
    DiffijEngine engine();

    /** The operations of the menu commands over the settings as they are stored now. */
    Operations operations();

    /** The training of the Train menu commands over the settings as they are stored now. */
    TrainingOperations training();

    /** A generator resolving model names in the model folders; its jobs run on the engine's queue. */
    Generator generator();

    /**
     * Runs a request (init, mask and control images named by window title) with progress in the
     * status bar and Esc to cancel, and returns the new image with its provenance.
     */
    ImagePlus generate(GenerationRequest request);
}
