package org.diffij.engine;

import org.diffij.DiffijException;

/** Thrown inside a job at its next cancellation point after {@link JobHandle#cancel()}. */
public class JobCancelledException extends DiffijException {

    public JobCancelledException(String jobName) {
        super(jobName + " was cancelled");
    }
}
