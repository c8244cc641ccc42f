package org.diffij.engine;

/** A unit of tensor work run on the engine's worker thread with its own scoped native memory. */
@FunctionalInterface
public interface Job<T> {

    /**
     * Runs the work. Arrays created through {@link JobContext#manager()} are freed when the job
     * ends, so the result must be plain Java data (or arrays the job attached elsewhere on purpose).
     */
    T run(JobContext context) throws Exception;
}
