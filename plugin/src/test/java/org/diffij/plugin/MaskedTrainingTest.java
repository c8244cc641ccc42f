package org.diffij.plugin;

import static org.diffij.training.DataOptions.Normalise.DISPLAY;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.gui.OvalRoi;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.diffij.io.SafetensorsFile;
import org.diffij.training.ImageSample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Masked training at the Fiji level ({@code data=[rois:TITLE masked]}, {@code stack:TITLE masked}): the
 * ROI's (or selection's) shape is the loss mask the trainer receives. Pixels outside an ROI's crop never
 * reach the run; inside the crop but outside the shape they are context, seen by the model and not
 * counted by the loss.
 */
class MaskedTrainingTest {

    /** The ROI: an oval whose 48x48 bounds leave the right part of the 96x64 image outside. */
    private static final Roi OVAL = new OvalRoi(8, 8, 48, 48);

    @TempDir
    Path dir;

    /** A deterministic colourful 96x64 image with the oval as its overlay's one ROI. */
    private static ImagePlus specimen() {
        int[] rgb = new int[96 * 64];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = ((i * 37) & 0xff) << 16 | ((i / 96 * 11) & 0xff) << 8 | ((i * 5 + 90) & 0xff);
        }
        ImagePlus image = new ImagePlus("specimen", new ColorProcessor(96, 64, rgb));
        Roi roi = (Roi) OVAL.clone();
        roi.setName("a photo of a specimen");
        image.setOverlay(new Overlay(roi));
        return image;
    }

    /** Paints the rectangle x0 ≤ x < x1, y0 ≤ y < y1 of the image white (a change the run may or may not see). */
    private static ImagePlus painted(int x0, int y0, int x1, int y1) {
        ImagePlus image = specimen();
        ImageProcessor ip = image.getProcessor();
        ip.setColor(0xffffff);
        ip.setRoi(x0, y0, x1 - x0, y1 - y0);
        ip.fill();
        ip.resetRoi();
        return image;
    }

    /** Mean loss and trained tensors of a two-step LoRA run. */
    private record Run(double meanLoss, Map<String, float[]> tensors) {
    }

    private Run train(ImagePlus image, String name) {
        return train(image, name, "rois:specimen masked");
    }

    private Run train(ImagePlus image, String name, String data) {
        Path output = dir.resolve(name + ".safetensors");
        int[] pixels = ((int[]) image.getProcessor().getPixels()).clone();
        TrainingOperations.Outcome outcome = HeadlessImageJ.withOpen(() -> new TrainLoraCommand().apply(image,
                "model=[" + HeadlessImageJ.model("tiny-sd15") + "] data=[" + data + "] output=[" + output
                        + "] steps=2 lr=1e-3 rank=2 alpha=2 resolution=64 seed=9"), image);
        assertTrue(outcome.result().finished());
        assertArrayEquals(pixels, (int[]) image.getProcessor().getPixels(), "the image is not modified");
        assertEquals(OVAL.getBounds(), image.getOverlay().get(0).getBounds(), "nor its ROI");
        Map<String, float[]> tensors = new TreeMap<>();
        try (SafetensorsFile file = SafetensorsFile.open(output)) {
            for (String tensor : file.names()) {
                tensors.put(tensor, file.read(tensor).toFloatArray());
            }
            assertEquals(data.endsWith(" masked"), file.metadata().get("diffij.samples").contains("\"masked\":true"),
                    "recorded as masked or not");
        }
        return new Run(outcome.result().meanLoss(), tensors);
    }

    private static boolean sameTensors(Run a, Run b) {
        return a.tensors().keySet().equals(b.tensors().keySet())
                && a.tensors().keySet().stream().allMatch(k -> Arrays.equals(a.tensors().get(k), b.tensors().get(k)));
    }

    @Test
    void theLossMaskTheTrainerGetsIsTheRoisOwnPixelsWithinItsCrop() {
        ImagePlus image = specimen();
        ImageSample sample = TrainingSources.samples("rois:specimen masked", DISPLAY, image).get(0);
        assertEquals(48, sample.image().width());
        assertEquals(48, sample.image().height());
        // ImageJ's own definition of the oval's pixels: its mask over its bounds.
        ImageProcessor inside = OVAL.getMask();
        int counted = 0;
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 48; x++) {
                boolean in = inside.get(x, y) != 0;
                assertEquals(in ? 255 : 0, sample.mask()[y * 48 + x], "mask at " + x + "," + y);
                counted += in ? 1 : 0;
            }
        }
        assertTrue(counted > 0 && counted < 48 * 48, "the oval leaves the crop's corners out");
        assertTrue(TrainingSources.samples("rois:specimen", DISPLAY, image).get(0).mask() == null,
                "unmasked: no mask");
    }

    @Test
    void pixelsOutsideTheRoiLeaveLossAndWeightsUnchangedPixelsInsideChangeThem() {
        Run reference = train(specimen(), "reference");
        // Right of the ROI's bounds (x >= 56): not part of the sample at all.
        Run outside = train(painted(60, 0, 96, 64), "outside");
        assertEquals(reference.meanLoss(), outside.meanLoss(), 0.0, "the loss ignores pixels outside the ROI");
        assertTrue(sameTensors(reference, outside), "so do the gradients: the trained weights are bit-identical");
        // The oval's centre: trained on.
        Run inside = train(painted(24, 24, 40, 40), "inside");
        assertFalse(reference.meanLoss() == inside.meanLoss(), "the loss sees pixels inside the ROI");
        assertFalse(sameTensors(reference, inside), "and so do the gradients");
    }

    @Test
    void pixelsInsideTheCropButOutsideTheRoiAreContextTheModelStillSees() {
        // The crop's corner outside the oval: not counted by the loss, yet it conditions the model's
        // prediction inside the mask, as masked training intends (the concept in its surroundings).
        Run reference = train(specimen(), "reference");
        Run corner = train(painted(8, 8, 14, 14), "corner");
        assertFalse(sameTensors(reference, corner), "context conditions the prediction");
    }

    @Test
    void theAreaSelectionMasksAWholeSliceAndTheMaskChangesTheRun() {
        ImagePlus image = specimen();
        image.setRoi((Roi) OVAL.clone());
        ImageSample sample = TrainingSources.samples("stack:specimen masked", DISPLAY, image).get(0);
        ImageProcessor inside = OVAL.getMask();
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 96; x++) {
                boolean in = x >= 8 && x < 56 && y >= 8 && y < 56 && inside.get(x - 8, y - 8) != 0;
                assertEquals(in ? 255 : 0, sample.mask()[y * 96 + x], "mask at " + x + "," + y);
            }
        }
        Run masked = train(image, "masked", "stack:specimen masked");
        Run whole = train(image, "whole", "stack:specimen");
        assertFalse(masked.meanLoss() == whole.meanLoss(), "the selection restricts the loss");
        assertFalse(sameTensors(masked, whole));
    }
}
