package org.diffij.io.pickle;

import java.nio.file.Path;
import org.diffij.DiffijException;

/** A torch pickle that Diffij will not or cannot read; the message names the file. */
public class TorchPickleException extends DiffijException {

    public TorchPickleException(Path file, String problem) {
        super(file.getFileName() + ": " + problem);
    }

    public TorchPickleException(Path file, String problem, Throwable cause) {
        super(file.getFileName() + ": " + problem, cause);
    }
}
