package org.diffij.plugin;

import ij.IJ;
import org.diffij.engine.JobCancelledException;
import org.diffij.engine.JobHandle;
import org.diffij.pipelines.GenerationRequest;
import org.diffij.pipelines.GenerationResult;
import org.diffij.pipelines.Generator;
import org.diffij.pipelines.ImageSources;
import org.diffij.pipelines.PreviewListener;

/**
 * One generation the Fiji way: the job runs on the engine's worker thread while the calling thread
 * (ImageJ's command thread, never the event thread) shows each step in the progress bar and status
 * line and polls Esc, which cancels the job; its native memory is freed by the engine. A
 * {@link PreviewListener} (null for none) receives the latent preview after each step. The result's
 * notes (the embeddings applied) go to the Log.
 */
public final class GenerationRun {

    private GenerationRun() {
    }

    /** Runs the request and waits for it; throws {@link JobCancelledException} when the user pressed Esc. */
    public static GenerationResult run(String title, Generator generator, GenerationRequest request,
            ImageSources sources, PreviewListener preview) {
        IJ.resetEscape();
        JobHandle<GenerationResult> handle = generator.submit(request, sources, (done, total, message) -> {
            IJ.showStatus(title + ": " + message + (message.startsWith("step") ? " (Esc cancels)" : ""));
            if (total > 0) {
                IJ.showProgress((double) done / total);
            }
        }, preview);
        GenerationResult result = EscapeWait.await(handle, title, "cancelling...");
        RequestFields.rememberModel(request.model());
        result.notes().forEach(note -> IJ.log(title + ": " + note));
        return result;
    }
}
