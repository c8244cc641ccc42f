package org.diffij.plugin;

import ij.ImagePlus;
import java.util.ArrayList;
import java.util.List;
import org.diffij.pipelines.GenerationRequest;
import org.diffij.pipelines.GenerationResult;
import org.diffij.pipelines.PreviewListener;

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
    protected ImagePlus generate(ImagePlus source, CommandParameters parameters, DiffusionSettings settings) {
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
            return imageToImage(title(), source, base, strength, allSlices, seedPlusIndex, settings, preview);
        }
    }

    /**
     * The operation itself, shared with the SciJava command: the current slice, or every slice with
     * the seed fixed or seed + slice index; the results as one new image. {@code preview} (null for
     * none) sees the steps of every slice.
     */
    public static ImagePlus imageToImage(String title, ImagePlus source, GenerationRequest base, double strength,
            boolean allSlices, boolean seedPlusIndex, DiffusionSettings settings, PreviewListener preview) {
        WindowImages sources = new WindowImages(source);
        if (!allSlices) {
            GenerationRequest request = base.withInit(WindowImages.sliceName(source, source.getCurrentSlice()), "",
                    strength);
            return GenerationRun.image(title, settings, request, sources, DiffusionCommand.derived(source,
                    request.width(), request.height()), preview);
        }
        List<GenerationResult> results = new ArrayList<>();
        for (int slice = 1; slice <= source.getStackSize(); slice++) {
            GenerationRequest request = base.withInit(WindowImages.sliceName(source, slice), "", strength)
                    .withSeed(seedPlusIndex ? base.seed() + slice - 1 : base.seed());
            results.add(GenerationRun.run(title + " " + slice + "/" + source.getStackSize(), settings.generator(),
                    request, sources, preview));
        }
        ImagePlus result = Provenance.image(results, DiffusionCommand.derived(source, base.width(), base.height()));
        if (source.isHyperStack() && result.getStackSize() == source.getStackSize()) {
            result.setDimensions(source.getNChannels(), source.getNSlices(), source.getNFrames());
            result.setOpenAsHyperStack(true);
        }
        return result;
    }
}
