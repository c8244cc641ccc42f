package org.diffij.plugin;

import ij.IJ;
import ij.ImagePlus;
import ij.Prefs;
import ij.measure.Calibration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.diffij.DiffijException;
import org.diffij.pipelines.Control;
import org.diffij.pipelines.GenerationRequest;
import org.diffij.pipelines.GenerationResult;
import org.diffij.pipelines.Generator;
import org.diffij.pipelines.MacroOptions;
import org.diffij.pipelines.PreviewListener;

/**
 * What the plugin does, once, for both front ends: the ImageJ 1 commands (dialogs, macros) and the
 * SciJava commands and service (scripts, headless) read their parameters and call these. Each
 * operation runs its requests through the shared engine queue with progress and Esc
 * ({@link GenerationRun}) and returns a NEW image carrying its {@link Provenance}; sources are never
 * modified. Creating the operations hands the settings' engine settings to the engine.
 */
public final class Operations {

    static final String LAST_CONTROLNET = DiffusionSettings.PREFIX + "last.controlnet";

    private final DiffusionSettings settings;

    public Operations(DiffusionSettings settings) {
        this.settings = settings;
        settings.applyToEngine();
    }

    public DiffusionSettings settings() {
        return settings;
    }

    public Generator generator() {
        return settings.generator();
    }

    /** Text to image; init, mask and control images the request names are window titles. */
    public ImagePlus generate(String title, GenerationRequest request, PreviewListener preview) {
        return image(title, request, new WindowImages(), new Calibration(), preview);
    }

    /**
     * Repaints the current slice of {@code source}, or every slice with the seed fixed or seed +
     * slice index; the results as one new image. {@code preview} (null for none) sees the steps of
     * every slice.
     */
    public ImagePlus imageToImage(String title, ImagePlus source, GenerationRequest base, double strength,
            boolean allSlices, boolean seedPlusIndex, PreviewListener preview) {
        WindowImages sources = new WindowImages(source);
        if (!allSlices) {
            GenerationRequest request = base.withInit(WindowImages.sliceName(source, source.getCurrentSlice()), "",
                    strength);
            return image(title, request, sources, derived(source, request.width(), request.height()), preview);
        }
        List<GenerationResult> results = new ArrayList<>();
        for (int slice = 1; slice <= source.getStackSize(); slice++) {
            GenerationRequest request = base.withInit(WindowImages.sliceName(source, slice), "", strength)
                    .withSeed(seedPlusIndex ? base.seed() + slice - 1 : base.seed());
            results.add(GenerationRun.run(title + " " + slice + "/" + source.getStackSize(), generator(), request,
                    sources, preview));
        }
        ImagePlus result = Provenance.image(results, derived(source, base.width(), base.height()));
        if (source.isHyperStack() && result.getStackSize() == source.getStackSize()) {
            result.setDimensions(source.getNChannels(), source.getNSlices(), source.getNFrames());
            result.setOpenAsHyperStack(true);
        }
        return result;
    }

    /**
     * Repaints the area selection of the current slice, grown by {@code grow} and feathered by
     * {@code feather} pixels; outside it the result is the source's own pixels. With
     * {@code onlyMaskedPadding} other than {@link GenerationRequest#WHOLE_PICTURE}, only the selection's
     * bounding box grown by that many pixels is generated, at the request's size, and pasted back:
     * the result has the source's size.
     */
    public ImagePlus inpaint(String title, ImagePlus source, GenerationRequest base, double strength, double grow,
            double feather, int onlyMaskedPadding, PreviewListener preview) {
        requireSelection(source);
        if (feather < 0) {
            throw new DiffijException("feather must be 0 or more pixels, not " + feather);
        }
        GenerationRequest request = base.withInit(WindowImages.sliceName(source, source.getCurrentSlice()),
                WindowImages.selectionName(source, grow, feather), strength).withOnlyMasked(onlyMaskedPadding);
        Calibration calibration = request.isOnlyMasked() ? source.getCalibration().copy()
                : derived(source, request.width(), request.height());
        return image(title, request, new WindowImages(source), calibration, preview);
    }

    /** Text to image steered by the {@code controls} ({@code type|model|image title|scale|start|end; ...}). */
    public ImagePlus withControlNet(String title, ImagePlus source, GenerationRequest base, String controls,
            PreviewListener preview) {
        List<Control> list = controls(controls);
        Prefs.set(LAST_CONTROLNET, list.get(0).model());
        GenerationRequest request = base.withControls(list);
        return image(title, request, new WindowImages(source), derived(source, request.width(), request.height()),
                preview);
    }

    /**
     * Generates again what {@code source} (its current slice) records: one image of a batch records its
     * batch position, so the batch is computed again and that image kept. A model whose weights
     * changed since is reported.
     */
    public ImagePlus rerun(String title, ImagePlus source) {
        GenerationRequest request = Provenance.request(source);
        GenerationResult result = GenerationRun.run(title, generator(), request, new WindowImages(source), null);
        changedFiles(request, result.request()).forEach(change -> IJ.log(title + ": " + change));
        ImagePlus again = Provenance.image(List.of(result), source.getCalibration().copy());
        // A title of its own, so that the re-run and the image it repeats are told apart in the Window menu.
        again.setTitle("Re-run of " + source.getTitle());
        return again;
    }

    /**
     * What differs between the files a request recorded and those a re-run of it found: the model's
     * weights, and each LoRA and embedding recorded under the same name (A1111's short hashes compare
     * as prefixes).
     */
    static List<String> changedFiles(GenerationRequest recorded, GenerationRequest now) {
        List<String> changes = new ArrayList<>();
        if (!samePrefix(recorded.modelHash(), now.modelHash())) {
            changes.add("the model's weights differ from those recorded (SHA-256 " + recorded.modelHash() + " then, "
                    + now.modelHash() + " now): the image will differ");
        }
        changedShortHashes("LoRA", recorded.loraHashes(), now.loraHashes(), changes);
        changedShortHashes("embedding", recorded.embeddingHashes(), now.embeddingHashes(), changes);
        return changes;
    }

    private static void changedShortHashes(String kind, Map<String, String> recorded, Map<String, String> now,
            List<String> changes) {
        recorded.forEach((name, then) -> {
            String found = now.getOrDefault(name, "");
            if (!samePrefix(then, found)) {
                changes.add("the " + kind + " " + name + " differs from the one recorded (hash " + then + " then, "
                        + found + " now): the image will differ");
            }
        });
    }

    private static boolean samePrefix(String recorded, String now) {
        return recorded.isEmpty() || now.isEmpty() || now.startsWith(recorded) || recorded.startsWith(now);
    }

    static void requireSelection(ImagePlus source) {
        if (source.getRoi() == null || !source.getRoi().isArea()) {
            throw new DiffijException("'" + source.getTitle() + "' has no area selection: select the region to "
                    + "repaint first");
        }
    }

    /** The controls in the {@code controls} macro key's format, as {@link GenerationRequest} reads them. */
    static List<Control> controls(String text) {
        if (text.isBlank()) {
            throw new DiffijException("no control given: controls=[type|ControlNet model|image title|scale|start|end]");
        }
        return GenerationRequest.fromMacroOptions(MacroOptions.format(Map.of("model", "-", "controls", text.strip())))
                .controls();
    }

    private ImagePlus image(String title, GenerationRequest request, WindowImages sources, Calibration calibration,
            PreviewListener preview) {
        GenerationResult result = GenerationRun.run(title, generator(), request, sources, preview);
        IJ.showStatus(title + ": done in " + IJ.d2s(result.seconds(), 1) + " s");
        return Provenance.image(List.of(result), calibration);
    }

    /** The calibration of a derived image: the source's, with pixel sizes scaled to the new size. */
    static Calibration derived(ImagePlus source, int width, int height) {
        Calibration calibration = source.getCalibration().copy();
        calibration.pixelWidth *= (double) source.getWidth() / width;
        calibration.pixelHeight *= (double) source.getHeight() / height;
        return calibration;
    }
}
