package org.diffij.plugin.scijava;

import ij.ImagePlus;
import java.util.Map;
import org.diffij.DiffijException;
import org.diffij.pipelines.MacroOptions;
import org.diffij.plugin.MethodTrainingCommand;
import org.diffij.training.TrainingRequest;
import org.scijava.plugin.Parameter;

/**
 * A Train menu command for scripts and headless runs: the request is built by the menu command
 * itself ({@link MethodTrainingCommand#request}) from the same keys and defaults, so a script and a
 * recorded macro line with the same keys train the same run. {@code model}, {@code data} and
 * {@code output} are parameters of their own; any other key of the method goes in {@code options}
 * as in a macro line ({@code steps=800 rank=8}). Nothing persists between runs.
 */
abstract class MethodTraining extends TrainingOutputs {

    @Parameter(label = "Model (folder, .safetensors file, or a name in the model folders; empty = the last used)",
            required = false, persist = false)
    String model = "";

    @Parameter(label = "Source image (the data and the output's name default after it)", required = false,
            persist = false)
    ImagePlus source;

    @Parameter(label = "Data (stack:TITLE [slices A-B] [masked], rois:TITLE [masked], ';'-joined, or a folder; "
            + "empty = the source image)", required = false, persist = false)
    String data = "";

    @Parameter(label = "Output (a name lands in the first model folder; empty = after the source image)",
            required = false, persist = false)
    String output = "";

    @Parameter(label = "Other keys, as in a macro line (steps=800 lr=1e-4 ...)", required = false, persist = false)
    String options = "";

    private final String title;
    private final MethodTrainingCommand menuCommand;

    MethodTraining(String title, MethodTrainingCommand menuCommand) {
        this.title = title;
        this.menuCommand = menuCommand;
    }

    /** The request of these parameters: the menu command's, for the same keys over the same defaults. */
    TrainingRequest request() {
        Map<String, String> given = MacroOptions.parse(options == null ? "" : options);
        own(given, "model", model);
        own(given, "data", data);
        own(given, "output", output);
        return menuCommand.request(source, given);
    }

    private static void own(Map<String, String> given, String key, String value) {
        if (given.containsKey(key)) {
            throw new DiffijException(key + " is a parameter of its own: give it as " + key + ", not in options");
        }
        if (value != null && !value.isBlank()) {
            given.put(key, value.strip());
        }
    }

    @Override
    public void run() {
        done(diffusion.training().train(title, request(), source));
    }
}
