package org.diffij.engine;

/** Receives a job's state changes and progress; called on the engine's worker thread. */
@FunctionalInterface
public interface ProgressListener {

    /**
     * @param done  units of work done (for generation: denoising steps)
     * @param total units in all, or 0 when unknown
     * @param message a short status line, e.g. {@code "queued (1 ahead)"} or {@code "step 3/25"}
     */
    void progress(long done, long total, String message);
}
