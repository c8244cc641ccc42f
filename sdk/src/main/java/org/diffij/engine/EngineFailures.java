package org.diffij.engine;

import java.util.Locale;
import org.diffij.DiffijException;

/** Turns native and JVM failures inside a job into messages that say what to do. */
final class EngineFailures {

    private EngineFailures() {
    }

    static Throwable explain(Throwable error, String jobName) {
        if (error instanceof DiffijException) {
            return error;
        }
        if (isOutOfMemory(error)) {
            return new OutOfMemoryException(jobName, error);
        }
        if (error instanceof VirtualMachineError) {
            return error;
        }
        return new DiffijException(jobName + " failed: " + error, error);
    }

    static boolean isOutOfMemory(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return true;
            }
            String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (message.contains("out of memory") || message.contains("can't allocate memory")
                    || message.contains("cannot allocate memory") || message.contains("bad_alloc")) {
                return true;
            }
        }
        return false;
    }
}
