package org.diffij.plugin;

import ij.ImagePlus;
import org.diffij.DiffijException;
import org.diffij.pipelines.GenerationRequest;
import org.diffij.pipelines.PreviewListener;

/**
 * {@code Inpaint Selection...}: repaints the area selection of the current image (its current slice),
 * the selection grown by {@code grow} pixels and its edge feathered by a Gaussian of {@code feather}
 * pixels. The result is a NEW image; the source and its selection are left as they were.
 */
public final class InpaintSelectionCommand extends DiffusionCommand {

    @Override
    protected String title() {
        return "Inpaint Selection";
    }

    @Override
    protected boolean needsImage() {
        return true;
    }

    @Override
    protected ImagePlus generate(ImagePlus source, CommandParameters parameters, DiffusionSettings settings) {
        requireSelection(source);
        RequestFields.declare(parameters, source.getWidth(), source.getHeight());
        parameters.addNumber("Strength (denoising, 0..1]", 1, 2);
        parameters.addNumber("Grow (pixels; negative shrinks)", 0, 1);
        parameters.addNumber("Feather (Gaussian sigma in pixels)", 0, 1);
        LivePreview.declare(parameters);
        if (!parameters.show()) {
            return null;
        }
        GenerationRequest base = RequestFields.read(title(), parameters);
        double strength = parameters.nextNumber();
        double grow = parameters.nextNumber();
        double feather = parameters.nextNumber();
        try (LivePreview preview = LivePreview.read(parameters)) {
            return inpaint(title(), source, base, strength, grow, feather, settings, preview);
        }
    }

    /** The operation itself, shared with the SciJava command; {@code preview} may be null (none). */
    public static ImagePlus inpaint(String title, ImagePlus source, GenerationRequest base, double strength,
            double grow, double feather, DiffusionSettings settings, PreviewListener preview) {
        requireSelection(source);
        if (feather < 0) {
            throw new DiffijException("feather must be 0 or more pixels, not " + feather);
        }
        GenerationRequest request = base.withInit(WindowImages.sliceName(source, source.getCurrentSlice()),
                WindowImages.selectionName(source, grow, feather), strength);
        return GenerationRun.image(title, settings, request, new WindowImages(source),
                DiffusionCommand.derived(source, request.width(), request.height()), preview);
    }

    private static void requireSelection(ImagePlus source) {
        if (source.getRoi() == null || !source.getRoi().isArea()) {
            throw new DiffijException("'" + source.getTitle() + "' has no area selection: select the region to "
                    + "repaint first");
        }
    }
}
