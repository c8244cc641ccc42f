package org.diffij.plugin;

import ij.ImagePlus;
import ij.Macro;
import ij.WindowManager;
import ij.io.SaveDialog;
import ij.plugin.PlugIn;
import ij.plugin.frame.Recorder;
import java.awt.GraphicsEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.diffij.DiffijException;
import org.diffij.image.PngFiles;
import org.diffij.image.RgbImage;

/**
 * {@code Save as PNG with Parameters...}: writes the current slice as a PNG whose {@code parameters}
 * text is the generation's A1111 infotext (what A1111's and ComfyUI's PNG info, and Re-run from
 * Image, read back). ImageJ's own PNG writer drops it. Existing files are never overwritten.
 */
public final class SavePngCommand implements PlugIn {

    private static final String TITLE = "Save as PNG with Parameters";

    @Override
    public void run(String arg) {
        ImagePlus image = WindowManager.getCurrentImage();
        try {
            if (image == null) {
                throw new DiffijException("no image is open: select the generated image to save");
            }
            Path file;
            if (!GraphicsEnvironment.isHeadless() && Macro.getOptions() == null) {
                SaveDialog dialog = new SaveDialog(TITLE, image.getTitle(), ".png");
                if (dialog.getFileName() == null) {
                    return;
                }
                file = Path.of(dialog.getDirectory(), dialog.getFileName());
                Recorder.recordOption("path", file.toString());
            } else {
                CommandParameters parameters = CommandParameters.forCurrentRun(TITLE);
                parameters.addString("Path", "", 40);
                if (!parameters.show()) {
                    return;
                }
                file = Path.of(parameters.nextString());
            }
            save(image, file);
        } catch (DiffijException e) {
            Feedback.report(TITLE, e.getMessage());
        }
    }

    /** Saves the current slice of {@code image} with the parameters of the request that made it. */
    public static void save(ImagePlus image, Path file) {
        if (Files.exists(file)) {
            throw new DiffijException(file + " exists; choose another name (Diffij never overwrites files)");
        }
        String parameters = Provenance.parameters(image);
        int[] packed = (int[]) image.getProcessor().convertToColorProcessor().getPixels();
        PngFiles.write(file, RgbImage.fromPackedRgb(image.getWidth(), image.getHeight(), packed),
                Map.of("parameters", parameters));
    }
}
