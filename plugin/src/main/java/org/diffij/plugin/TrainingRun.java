package org.diffij.plugin;

import ij.IJ;
import java.awt.GraphicsEnvironment;
import java.nio.file.Path;
import org.diffij.engine.JobHandle;
import org.diffij.training.Trainer;
import org.diffij.training.TrainingData;
import org.diffij.training.TrainingRequest;

/**
 * One training run the Fiji way, as {@link GenerationRun} is for generation: the run is one long
 * job on the engine's queue (generation submitted meanwhile waits behind it and says so), while the
 * calling thread shows step, loss, s/step and ETA in the status line and progress bar and polls
 * Esc, which stops the run after its current step with a checkpoint that Resume Training...
 * continues. Headless every step's line also goes to the Log.
 */
final class TrainingRun {

    private TrainingRun() {
    }

    /** Runs and waits; {@code data} null reads the request's folder, {@code resume} null starts afresh. */
    static Trainer.Result run(String title, Trainer trainer, TrainingRequest request, TrainingData data, Path resume,
            LossPlot plot) {
        IJ.resetEscape();
        boolean headless = GraphicsEnvironment.isHeadless();
        JobHandle<Trainer.Result> handle = trainer.submit(request, data, resume, false, (done, total, message) -> {
            IJ.showStatus(title + ": " + message + (message.startsWith("step") ? " (Esc stops with a checkpoint)"
                    : ""));
            if (total > 0) {
                IJ.showProgress((double) done / total);
            }
            if (headless || !message.startsWith("step")) {
                IJ.log(title + ": " + message);
            }
        }, plot::add);
        return EscapeWait.await(handle, title, "stopping after this step, writing a checkpoint...");
    }
}
