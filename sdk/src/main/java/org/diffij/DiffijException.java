package org.diffij;

/**
 * A failure a user can act on. The message says what is wrong and, where there is one, what to do;
 * front ends (CLI, Fiji dialogs, the macro log) show it as the whole message, never a stack trace.
 */
public class DiffijException extends RuntimeException {

    public DiffijException(String message) {
        super(message);
    }

    public DiffijException(String message, Throwable cause) {
        super(message, cause);
    }
}
