package org.diffij.engine;

import org.diffij.DiffijException;

/** A job ran out of native or Java memory; its scope has been freed and the engine stays usable. */
public class OutOfMemoryException extends DiffijException {

    public OutOfMemoryException(String jobName, Throwable cause) {
        super(jobName + " ran out of memory. Use a smaller image size or batch, enable attention slicing and "
                + "tiled VAE, or lower the model cache budget (diffij.cache.budget) so fewer models stay loaded.",
                cause);
    }
}
