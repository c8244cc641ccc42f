package org.diffij.plugin;

import ij.ImagePlus;
import org.diffij.pipelines.GenerationRequest;

/**
 * {@code Image to Image...}: repaints the current image (its current slice) guided by the prompt;
 * {@code strength} says how much is re-noised. On a stack (or hyperstack) it can run once per slice,
 * with the same seed for every slice ({@code fixed}) or seed + slice index ({@code seed+index}); the
 * results form a new stack. Any image type works: gray images enter through their display range.
 */
public final class ImageToImageCommand extends DiffusionCommand {

    private static final String[] STACK = {"current slice", "all slices"};
    private static final String[] SEEDS = {"fixed", "seed+index"};

    @Override
    protected String title() {
        return "Image to Image";
    }

    @Override
    protected boolean needsImage() {
        return true;
    }

    @Override
    protected ImagePlus generate(ImagePlus source, CommandParameters parameters, Operations operations) {
        RequestFields.declare(parameters, source.getWidth(), source.getHeight());
        parameters.addNumber("Strength (denoising, 0..1]", 0.75, 2);
        boolean stack = source.getStackSize() > 1;
        if (stack) {
            parameters.addChoice("Stack", STACK, STACK[0]);
            parameters.addChoice("Seeds (for all slices)", SEEDS, SEEDS[0]);
        }
        LivePreview.declare(parameters);
        if (!parameters.show()) {
            return null;
        }
        GenerationRequest base = RequestFields.read(title(), parameters);
        double strength = parameters.nextNumber();
        boolean allSlices = stack && parameters.nextChoice().equals(STACK[1]);
        boolean seedPlusIndex = stack && parameters.nextChoice().equals(SEEDS[1]);
        try (LivePreview preview = LivePreview.read(parameters)) {
            return operations.imageToImage(title(), source, base, strength, allSlices, seedPlusIndex, preview);
        }
    }

}
