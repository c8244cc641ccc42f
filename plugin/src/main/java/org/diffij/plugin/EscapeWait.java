package org.diffij.plugin;

import ij.IJ;
import org.diffij.engine.JobCancelledException;
import org.diffij.engine.JobHandle;

/**
 * Waits for a job on ImageJ's command thread while polling Esc: the first Esc cancels the job (a
 * generation stops, a training run stops after its step with a checkpoint) and says so in the status
 * line; the progress bar is reset when the wait ends, however it ends.
 */
final class EscapeWait {

    private static final long POLL_MILLIS = 50;

    private EscapeWait() {
    }

    /** The job's result; {@code onEscape} is the status line shown once Esc was pressed. */
    static <T> T await(JobHandle<T> handle, String title, String onEscape) {
        try {
            boolean cancelled = false;
            while (!handle.isDone()) {
                if (!cancelled && IJ.escapePressed()) {
                    handle.cancel();
                    cancelled = true;
                    IJ.showStatus(title + ": " + onEscape);
                }
                try {
                    Thread.sleep(POLL_MILLIS);
                } catch (InterruptedException e) {
                    handle.cancel();
                    Thread.currentThread().interrupt();
                    throw new JobCancelledException(title);
                }
            }
            return handle.await();
        } finally {
            IJ.showProgress(1.0);
        }
    }
}
