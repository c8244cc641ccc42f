package org.diffij.plugin;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ColorProcessor;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.diffij.DiffijException;
import org.diffij.DiffijVersion;
import org.diffij.image.PngFiles;
import org.diffij.image.RgbImage;
import org.diffij.training.ImageSample;
import org.diffij.training.Trainer;
import org.diffij.training.TrainingCheckpoint;
import org.diffij.training.TrainingData;
import org.diffij.training.TrainingRequest;

/**
 * Training for both front ends (the Train menu commands and the SciJava commands): the request's
 * {@code data} read from the open windows ({@link TrainingSources}) or a folder, an output given as a
 * bare name placed in the first model folder (so that the Generate dialogs' {@code adapters} field
 * finds it by name), the run on the engine's queue with progress, live loss plot and Esc
 * ({@link TrainingRun}), and its validation images as a "Training samples" stack. Nothing in the
 * user's images, ROIs or folders is modified.
 */
public final class TrainingOperations {

    /** Validation images are written as {@code <output>-stepNNNNNNNN-II.png}. */
    private static final Pattern SAMPLE_FILE = Pattern.compile(".*-step(\\d+)-\\d+\\.png");

    /**
     * How a run ended: the trainer's result (a cancelled run's {@code checkpoint} resumes it), the
     * loss plot, and the validation images as a stack (null without sample prompts).
     */
    public record Outcome(Trainer.Result result, ImagePlus lossPlot, ImagePlus samples) {
    }

    private final DiffusionSettings settings;

    public TrainingOperations(DiffusionSettings settings) {
        this.settings = settings;
        settings.applyToEngine();
    }

    /** Trains as {@code request} says; {@code known} are images the data may name besides the open windows. */
    public Outcome train(String title, TrainingRequest request, ImagePlus... known) {
        return run(title, placed(request), null, known);
    }

    /** Continues the run a checkpoint (written when it was stopped, or every checkpoint_every steps) belongs to. */
    public Outcome resume(String title, Path checkpoint, ImagePlus... known) {
        return run(title, TrainingCheckpoint.read(checkpoint).request(), checkpoint, known);
    }

    /** The request with an output given as a bare name placed in the first model folder. */
    TrainingRequest placed(TrainingRequest request) {
        Path output = Path.of(request.output());
        if (request.output().isBlank() || output.isAbsolute() || output.getParent() != null) {
            return request;
        }
        if (settings.modelFolders().isEmpty()) {
            throw new DiffijException("output '" + request.output() + "' is a name without folder and no model folder "
                    + "is set: set one in Plugins > Diffusion > Settings... or give the output's full path");
        }
        Map<String, String> options = request.toOptions();
        options.put("output", settings.modelFolders().get(0).resolve(output).toString());
        return TrainingRequest.fromOptions(options);
    }

    private Outcome run(String title, TrainingRequest request, Path resume, ImagePlus... known) {
        TrainingData data = null;
        if (TrainingSources.namesWindows(request.data())) {
            List<ImageSample> samples = TrainingSources.samples(request.data(),
                    request.dataOptions().normalise(), known);
            data = TrainingData.fromSamples(samples, request);
            IJ.log(title + ": " + describe(data));
        }
        String name = stem(Path.of(request.output()));
        LossPlot plot = new LossPlot("Training loss - " + name);
        if (resume != null) {
            // A resumed run's plot shows the whole run: the steps before the checkpoint first.
            Trainer.history(TrainingCheckpoint.read(resume)).forEach(plot::add);
        }
        Trainer trainer = new Trainer(settings.modelResolver(), settings.singleFileConfig().isEmpty() ? null
                : Path.of(settings.singleFileConfig()), DiffijVersion.label());
        Trainer.Result result = TrainingRun.run(title, trainer, request, data, resume, plot);
        if (result.finished()) {
            String line = String.format(Locale.ROOT, "trained %d steps in %.1f s, mean loss %.4f; wrote %s",
                    result.steps(), result.seconds(), result.meanLoss(), result.outputs().get(0));
            IJ.log(title + ": " + line + usage(request, result.outputs().get(0)));
            IJ.showStatus(title + ": " + line);
        } else {
            String line = "stopped at step " + result.steps() + "; checkpoint " + result.checkpoint()
                    + " (Plugins > Diffusion > Train > Resume Training... continues it)";
            IJ.log(title + ": " + line);
            IJ.showStatus(title + ": " + line);
        }
        return new Outcome(result, plot.image(), samplesStack(name, result.samples()));
    }

    /** How the new adapter is used: by name when it lies in a model folder. */
    private String usage(TrainingRequest request, Path output) {
        String kind = switch (request.method()) {
            case LORA -> "lora";
            case TI -> "embedding";
            case HYPERNETWORK -> "hypernet";
            case DREAMBOOTH -> null;
        };
        boolean inModelFolder = settings.modelFolders().stream().anyMatch(f -> f.toAbsolutePath()
                .equals(output.toAbsolutePath().getParent()));
        String reference = inModelFolder ? stem(output) : output.toString();
        return kind == null ? "; generate with model=[" + reference + "]"
                : "; generate with adapters=[" + kind + "|" + reference + "|1]";
    }

    /** Samples, buckets and the first captions, said before the run starts. */
    static String describe(TrainingData data) {
        StringBuilder text = new StringBuilder(data.items().size() + " samples");
        Object buckets = data.bucketInfo().get("buckets");
        if (buckets instanceof Map<?, ?> sizes) {
            text.append(", sizes");
            for (Object bucket : sizes.values()) {
                Map<?, ?> entry = (Map<?, ?>) bucket;
                List<?> resolution = (List<?>) entry.get("resolution");
                text.append(' ').append(resolution.get(0)).append('x').append(resolution.get(1)).append(" (")
                        .append(entry.get("count")).append(')');
            }
        }
        text.append("; captions: ");
        for (int i = 0; i < Math.min(3, data.items().size()); i++) {
            text.append(i == 0 ? "" : " | ").append(data.items().get(i).caption());
        }
        return text.append(data.items().size() > 3 ? " | ..." : "").toString();
    }

    /** The validation images in order, each slice labelled with its step and prompt; null when there are none. */
    private static ImagePlus samplesStack(String name, List<Path> files) {
        if (files.isEmpty()) {
            return null;
        }
        ImageStack stack = null;
        for (Path file : files) {
            RgbImage image = PngFiles.read(file);
            if (stack == null) {
                stack = new ImageStack(image.width(), image.height());
            }
            String parameters = PngFiles.readText(file).getOrDefault("parameters", "");
            Matcher step = SAMPLE_FILE.matcher(file.getFileName().toString());
            String label = (step.matches() ? "step " + Long.parseLong(step.group(1)) : file.getFileName().toString())
                    + ": " + parameters.lines().findFirst().orElse("");
            stack.addSlice(label, new ColorProcessor(image.width(), image.height(), image.toPackedRgb()));
        }
        return new ImagePlus("Training samples - " + name, stack);
    }

    private static String stem(Path file) {
        String n = file.getFileName().toString();
        return n.contains(".") ? n.substring(0, n.lastIndexOf('.')) : n;
    }
}
