package org.diffij.plugin;

import ij.IJ;
import ij.ImagePlus;
import java.util.List;
import org.diffij.pipelines.GenerationRequest;
import org.diffij.pipelines.GenerationResult;

/**
 * {@code Re-run from Image}: reads the request a generated image carries ({@link Provenance#request})
 * and generates it again: same model, seed and settings give the same pixels. Init, mask and control
 * images are found again by their window titles. A model whose weights changed since is reported.
 */
public final class RerunCommand extends DiffusionCommand {

    @Override
    protected String title() {
        return "Re-run from Image";
    }

    @Override
    protected boolean needsImage() {
        return true;
    }

    @Override
    protected ImagePlus generate(ImagePlus source, CommandParameters parameters, DiffusionSettings settings) {
        return rerun(title(), source, settings);
    }

    /** The operation itself, shared with the SciJava command. */
    public static ImagePlus rerun(String title, ImagePlus source, DiffusionSettings settings) {
        GenerationRequest request = Provenance.request(source);
        GenerationResult result = GenerationRun.run(title, settings.generator(), request, new WindowImages(source), null);
        String recorded = request.modelHash();
        String now = result.request().modelHash();
        if (!recorded.isEmpty() && !now.startsWith(recorded) && !recorded.startsWith(now)) {
            IJ.log(title + ": the model's weights differ from those recorded (SHA-256 " + recorded + " then, " + now
                    + " now): the image will differ");
        }
        return Provenance.image(List.of(result), source.getCalibration().copy());
    }
}
