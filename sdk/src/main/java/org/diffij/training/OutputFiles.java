package org.diffij.training;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.diffij.DiffijException;

/** Rules every trained file follows: never over an existing file unless asked, and named for its format. */
final class OutputFiles {

    private OutputFiles() {
    }

    /** Fails naming the first file that exists, unless overwriting was asked for. */
    static void requireNew(List<Path> files, boolean overwrite) {
        if (overwrite) {
            return;
        }
        for (Path file : files) {
            if (Files.exists(file)) {
                throw new DiffijException(file + " already exists; choose another output or allow overwriting it");
            }
        }
    }

    /**
     * The file the first format is written to: the output itself, whose extension must be the one
     * the format writes (other tools tell files apart by extension).
     */
    static Path first(Path output, String format, String extension) {
        if (!output.getFileName().toString().endsWith(extension)) {
            throw new DiffijException("output " + output.getFileName() + ": the format " + format + " writes a "
                    + extension + " file; name the output " + Trainer.stem(output) + extension
                    + " or list another format first");
        }
        return output;
    }
}
