package org.diffij.plugin;

import ij.ImagePlus;
import ij.ImageStack;
import ij.io.FileInfo;
import ij.measure.Calibration;
import ij.process.ColorProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.diffij.DiffijException;
import org.diffij.DiffijVersion;
import org.diffij.image.PngFiles;
import org.diffij.image.RgbImage;
import org.diffij.pipelines.GenerationRequest;
import org.diffij.pipelines.GenerationResult;
import org.diffij.pipelines.Infotext;

/**
 * What every generated image carries: the full request in A1111's parameters text as the image's
 * Info (shown by Image > Show Info, saved in TIFFs) and in each slice label, the exact macro options in
 * the {@value #PARAMETERS} property, and a title that says it was generated. {@link #request} reads
 * a request back from an image: its slice label, properties, or the PNG file it was opened from.
 */
public final class Provenance {

    /** The image property holding the request as macro options (lossless; what Re-run prefers). */
    public static final String PARAMETERS = "Diffij.Parameters";

    private Provenance() {
    }

    /**
     * The images of the results as one new RGB image (a stack when there are several), in order,
     * with the given calibration.
     */
    public static ImagePlus image(List<GenerationResult> results, Calibration calibration) {
        GenerationResult first = results.get(0);
        RgbImage size = first.images().get(0);
        ImageStack stack = new ImageStack(size.width(), size.height());
        for (GenerationResult result : results) {
            for (int i = 0; i < result.images().size(); i++) {
                RgbImage image = result.images().get(i);
                stack.addSlice(result.parameters(i), new ColorProcessor(image.width(), image.height(),
                        image.toPackedRgb()));
            }
        }
        ImagePlus image = new ImagePlus(title(first.request()), stack);
        image.setProperty("Info", first.parameters());
        image.setProp(PARAMETERS, first.request().toMacroOptions());
        image.setCalibration(calibration);
        return image;
    }

    static String title(GenerationRequest request) {
        String prompt = request.prompt().strip().replaceAll("\\s+", " ");
        if (prompt.length() > 40) {
            prompt = prompt.substring(0, 40) + "...";
        }
        return "Generated - " + (prompt.isEmpty() ? "no prompt" : prompt) + " (seed " + request.seed() + ")";
    }

    /**
     * The A1111 parameters text of the image (its current slice's), as written on it when it was
     * generated; for an image that only has the {@value #PARAMETERS} property, formatted from it.
     */
    public static String parameters(ImagePlus image) {
        if (image.getStackSize() > 1) {
            String label = image.getStack().getSliceLabel(image.getCurrentSlice());
            if (label != null && label.contains("Steps:")) {
                return label;
            }
        }
        Object info = image.getProperty("Info");
        if (info instanceof String text && text.contains("Steps:")) {
            return text;
        }
        return Infotext.format(request(image), DiffijVersion.label());
    }

    /**
     * The request that made the image: the current slice's label of a stack, else the
     * {@value #PARAMETERS} property, else the Info property, else the {@code parameters} text of the PNG
     * file the image was opened from.
     */
    public static GenerationRequest request(ImagePlus image) {
        if (image.getStackSize() > 1) {
            String label = image.getStack().getSliceLabel(image.getCurrentSlice());
            if (label != null && label.contains("Steps:")) {
                return Infotext.parse(label);
            }
        }
        String options = image.getProp(PARAMETERS);
        if (options != null && !options.isBlank()) {
            return GenerationRequest.fromMacroOptions(options);
        }
        Object info = image.getProperty("Info");
        if (info instanceof String text && text.contains("Steps:")) {
            return Infotext.parse(text);
        }
        FileInfo file = image.getOriginalFileInfo();
        if (file != null && file.fileName != null && file.directory != null) {
            Path path = Path.of(file.directory, file.fileName);
            if (Files.isRegularFile(path) && file.fileName.toLowerCase().endsWith(".png")) {
                String parameters = PngFiles.readText(path).get("parameters");
                if (parameters != null) {
                    return Infotext.parse(parameters);
                }
            }
        }
        throw new DiffijException("'" + image.getTitle() + "' carries no generation parameters (no Info, no "
                + PARAMETERS + " property, not a PNG with a parameters text)");
    }
}
