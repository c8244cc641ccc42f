package org.diffij.io;

import java.nio.file.Path;
import org.diffij.DiffijException;

/** A safetensors file that cannot be read as the format specifies; the message names the file. */
public class SafetensorsException extends DiffijException {

    public SafetensorsException(Path file, String problem) {
        super(file.getFileName() + ": " + problem);
    }

    public SafetensorsException(Path file, String problem, Throwable cause) {
        super(file.getFileName() + ": " + problem, cause);
    }
}
