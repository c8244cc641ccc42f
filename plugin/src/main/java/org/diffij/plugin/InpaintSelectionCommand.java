package org.diffij.plugin;

import ij.ImagePlus;
import org.diffij.pipelines.GenerationRequest;

/**
 * {@code Inpaint Selection...}: repaints the area selection of the current image (its current slice),
 * the selection grown by {@code grow} pixels and its edge feathered by a Gaussian of {@code feather}
 * pixels. Outside the grown, feathered selection the result is the source's own pixels. "Inpaint
 * area: only masked" (A1111's option) generates only the selection's bounding box grown by the padding,
 * at the generation size, and pastes it back into an image of the source's size. The result is a NEW
 * image; the source and its selection are left as they were.
 */
public final class InpaintSelectionCommand extends DiffusionCommand {

    /** A1111's two inpaint areas, by A1111's names. */
    private static final String[] AREAS = {"Whole picture", "Only masked"};

    @Override
    protected String title() {
        return "Inpaint Selection";
    }

    @Override
    protected boolean needsImage() {
        return true;
    }

    @Override
    protected ImagePlus generate(ImagePlus source, CommandParameters parameters, Operations operations) {
        Operations.requireSelection(source);
        RequestFields.declare(parameters, source.getWidth(), source.getHeight());
        parameters.addNumber("Strength (denoising, 0..1]", 1, 2);
        parameters.addNumber("Grow (pixels; negative shrinks)", 0, 1);
        parameters.addNumber("Feather (Gaussian sigma in pixels)", 0, 1);
        parameters.addChoice("Area (inpaint area)", AREAS, AREAS[0]);
        parameters.addNumber("Padding (pixels around the selection, only masked)", 32, 0);
        LivePreview.declare(parameters);
        if (!parameters.show()) {
            return null;
        }
        GenerationRequest base = RequestFields.read(title(), parameters);
        double strength = parameters.nextNumber();
        double grow = parameters.nextNumber();
        double feather = parameters.nextNumber();
        boolean onlyMasked = parameters.nextChoice().equals(AREAS[1]);
        int padding = (int) parameters.nextNumber();
        try (LivePreview preview = LivePreview.read(parameters)) {
            return operations.inpaint(title(), source, base, strength, grow, feather,
                    onlyMasked ? padding : GenerationRequest.WHOLE_PICTURE, preview);
        }
    }
}
