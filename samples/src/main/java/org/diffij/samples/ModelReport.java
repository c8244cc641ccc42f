package org.diffij.samples;

import java.nio.file.Path;
import org.diffij.io.ModelSummary;

/**
 * The smallest use of the SDK: describe a model file or folder without loading any weights.
 * Run: {@code java -cp sdk/target/diffij.jar:samples/target/classes org.diffij.samples.ModelReport DIR_OR_FILE}
 */
public final class ModelReport {

    private ModelReport() {
    }

    public static String describe(Path path) {
        ModelSummary summary = ModelSummary.of(path);
        StringBuilder text = new StringBuilder(path.getFileName() + " is a " + summary.kind() + "\n");
        for (ModelSummary.Part part : summary.parts()) {
            text.append(String.format("  %s: %d tensors, %,d parameters%n", part.name(), part.tensors().size(),
                    part.parameters()));
        }
        return text.toString();
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: ModelReport DIR_OR_FILE");
            System.exit(2);
        }
        System.out.print(describe(Path.of(args[0])));
    }
}
