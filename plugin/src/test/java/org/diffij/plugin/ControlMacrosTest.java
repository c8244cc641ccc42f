package org.diffij.plugin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.OvalRoi;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import java.util.List;
import java.util.Random;
import net.imglib2.img.array.ArrayImgs;
import org.diffij.DiffijException;
import org.diffij.conditioning.Ade20kPalette;
import org.diffij.conditioning.Canny;
import org.diffij.conditioning.CannyParameters;
import org.junit.jupiter.api.Test;

/** The example macros of {@code macros/}, run headless through ImageJ's macro interpreter. */
class ControlMacrosTest {

    private static ImagePlus calibrated(ImagePlus image) {
        image.getCalibration().pixelWidth = 0.5;
        image.getCalibration().pixelHeight = 0.25;
        image.getCalibration().setUnit("um");
        return image;
    }

    private static ImagePlus shapes() {
        ByteProcessor ip = new ByteProcessor(90, 70);
        ip.setColor(180);
        ip.fillOval(20, 15, 45, 35);
        ip.setColor(60);
        ip.fill(new ij.gui.Roi(5, 5, 10, 60));
        return calibrated(new ImagePlus("shapes", ip));
    }

    @Test
    void cannyMacroMakesANewEdgeImageEqualToTheSdksAndLeavesTheSourceAlone() {
        ImagePlus source = shapes();
        byte[] before = ((byte[]) source.getProcessor().getPixels()).clone();
        ImagePlus edges = HeadlessImageJ.runMacro("control_canny.ijm", source).image();
        assertNotNull(edges);
        assertEquals("Canny of shapes", edges.getTitle());
        assertEquals(8, edges.getBitDepth());
        assertArrayEquals(before, (byte[]) source.getProcessor().getPixels(), "the source is unchanged");
        byte[] expected = ((net.imglib2.img.array.ArrayImg<net.imglib2.type.numeric.integer.UnsignedByteType,
                net.imglib2.img.basictypeaccess.array.ByteArray>) new Canny(CannyParameters.CONTROLNET_DEFAULT)
                .edges(ArrayImgs.unsignedBytes(before, 90, 70))).update(null).getCurrentStorageArray();
        assertArrayEquals(expected, (byte[]) edges.getProcessor().getPixels());
        assertTrue(edges.getStatistics().max == 255, "edges found");
        assertEquals(0.5, edges.getCalibration().pixelWidth);
        assertEquals(0.25, edges.getCalibration().pixelHeight);
        assertEquals(source.getCalibration().getUnit(), edges.getCalibration().getUnit());
    }

    @Test
    void cannyMacroDrawsItsDemoWithoutAnImage() {
        ImagePlus edges = HeadlessImageJ.runMacro("control_canny.ijm", null).image();
        assertNotNull(edges);
        assertEquals("Canny of demo", edges.getTitle());
        assertEquals(255, edges.getStatistics().max);
        assertEquals(0.5, edges.getCalibration().pixelWidth);
    }

    @Test
    void generationSizeResizesAndScalesTheCalibration() {
        ImagePlus rgb = calibrated(new ImagePlus("rgb", shapes().getProcessor().convertToColorProcessor()));
        ImagePlus edges = new CannyEdgesCommand().apply(rgb, "low=50 high=150 aperture=5 l2 size=128 resize=crop").get(0);
        assertEquals(128, edges.getWidth());
        assertEquals(128, edges.getHeight());
        assertEquals(0.5 * 70 / 128, edges.getCalibration().pixelWidth, 1e-12, "crop magnifies 70 -> 128 in x too");
        assertEquals(0.25 * 70 / 128, edges.getCalibration().pixelHeight, 1e-12);
        ImagePlus fitted = new CannyEdgesCommand().apply(rgb, "size=128 resize=fit multiple=8").get(0);
        assertEquals(128, fitted.getWidth());
        assertEquals(96, fitted.getHeight(), "70 * 128 / 90 = 99.6 rounds to 12 multiples of 8");
        assertEquals(0.25 * 70 / 96, fitted.getCalibration().pixelHeight, 1e-12);
        DiffijException bad = assertThrows(DiffijException.class,
                () -> new CannyEdgesCommand().apply(rgb, "aperture=4").get(0));
        assertTrue(bad.getMessage().contains("'aperture' must be one of 3, 5, 7"), bad.getMessage());
    }

    private static ImagePlus focusSeries() {
        int w = 48;
        int h = 24;
        Random random = new Random(11);
        FloatProcessor texture = new FloatProcessor(w, h);
        for (int i = 0; i < w * h; i++) {
            texture.setf(i, random.nextFloat());
        }
        ImageStack stack = new ImageStack(w, h);
        for (int z = 0; z < 6; z++) {
            FloatProcessor left = (FloatProcessor) texture.duplicate();
            FloatProcessor right = (FloatProcessor) texture.duplicate();
            left.blurGaussian(0.3 + 1.3 * Math.abs(z - 1));
            right.blurGaussian(0.3 + 1.3 * Math.abs(z - 4));
            FloatProcessor slice = new FloatProcessor(w, h);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    slice.setf(x, y, x < w / 2 ? left.getf(x, y) : right.getf(x, y));
                }
            }
            stack.addSlice(slice);
        }
        return calibrated(new ImagePlus("series", stack));
    }

    @Test
    void depthFromFocusMacroRendersTheLaterFocusBrighter() {
        ImagePlus series = focusSeries();
        ImagePlus depth = HeadlessImageJ.runMacro("control_depth_from_focus.ijm", series).image();
        assertNotNull(depth);
        assertEquals("Depth of series", depth.getTitle());
        assertEquals(1, depth.getStackSize());
        int left = depth.getProcessor().get(8, 12);
        int right = depth.getProcessor().get(40, 12);
        assertTrue(right > left + 100, "right half in focus at slice 4 is nearer than the left at 1: " + left + " / "
                + right);
        assertEquals(0.5, depth.getCalibration().pixelWidth);
        List<ImagePlus> outputs = new DepthFromFocusCommand().apply(series, "height size=64 multiple=8");
        assertEquals(2, outputs.size(), "depth and height map");
        assertEquals(64, outputs.get(0).getWidth());
        assertEquals(32, outputs.get(1).getHeight());
        assertEquals(32, outputs.get(1).getBitDepth());
        assertEquals(4.0, outputs.get(1).getProcessor().getf(56, 16), 0.5, "height in slices where slice 4 is sharp");
    }

    @Test
    void depthFromFocusMacroSynthesisesItsOwnSeries() {
        ImagePlus depth = HeadlessImageJ.runMacro("control_depth_from_focus.ijm", null).image();
        assertNotNull(depth);
        assertTrue(depth.getProcessor().get(56, 20) > depth.getProcessor().get(8, 20));
    }

    @Test
    void depthFromFocusRefusesASingleSliceWithAClearMessage() {
        ImagePlus single = shapes();
        HeadlessImageJ.MacroRun run = HeadlessImageJ.runMacro("control_depth_from_focus.ijm", single);
        assertTrue(run.log().contains("Depth from Focus: depth from focus needs a z-stack of at least 3 slices; "
                + "\"shapes\" has 1"), run.log());
        assertFalse(run.log().contains("Depth of"), "the macro stopped at the error");
        assertTrue(run.image() == null || !run.image().getTitle().startsWith("Depth of"));
        DiffijException e = assertThrows(DiffijException.class, () -> new DepthFromFocusCommand().apply(single, "").get(0));
        assertTrue(e.getMessage().startsWith("depth from focus needs a z-stack of at least 3 slices"), e.getMessage());
    }

    @Test
    void normalMapMacroPaintsTheBackgroundFlatAndTiltsTheSlope() {
        FloatProcessor depth = new FloatProcessor(40, 30);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                depth.setf(x, y, x);
            }
        }
        ImagePlus normals = HeadlessImageJ.runMacro("control_normal_map.ijm", calibrated(new ImagePlus("ramp", depth))).image();
        assertNotNull(normals);
        assertEquals(24, normals.getBitDepth());
        int[] rgb = new int[3];
        ((ColorProcessor) normals.getProcessor()).getPixel(2, 15, rgb);
        assertArrayEquals(new int[] {127, 127, 255}, rgb, "background");
        ((ColorProcessor) normals.getProcessor()).getPixel(30, 15, rgb);
        assertTrue(rgb[0] > 200 && rgb[1] == 127, "slope rising to the right");
        assertEquals("Normal map of dome", HeadlessImageJ.runMacro("control_normal_map.ijm", null).image().getTitle());
    }

    @Test
    void labelColoursMacroPaintsAde20kColoursAndRefusesUnknownLabels() {
        ByteProcessor labels = new ByteProcessor(20, 10);
        labels.setColor(2);
        labels.fill(new ij.gui.Roi(0, 0, 20, 5));
        ImagePlus painted = HeadlessImageJ.runMacro("control_label_colours.ijm", calibrated(new ImagePlus("labels", labels))).image();
        assertNotNull(painted);
        int[] rgb = new int[3];
        ((ColorProcessor) painted.getProcessor()).getPixel(3, 2, rgb);
        assertArrayEquals(Ade20kPalette.get().colour(2), rgb);
        ((ColorProcessor) painted.getProcessor()).getPixel(3, 8, rgb);
        assertArrayEquals(Ade20kPalette.get().colour(0), rgb);
        ImagePlus demo = HeadlessImageJ.runMacro("control_label_colours.ijm", null).image();
        assertEquals("Label colours of labels", demo.getTitle());
        labels.set(7, 7, 200);
        ImagePlus wrong = new ImagePlus("wrong", labels);
        HeadlessImageJ.MacroRun run = HeadlessImageJ.runMacro("control_label_colours.ijm", wrong);
        assertTrue(run.log().contains("Label Colours: label 200 at x=7, y=7 is not an ADE20K class"), run.log());
        DiffijException e = assertThrows(DiffijException.class, () -> new LabelColoursCommand().apply(wrong, "").get(0));
        assertTrue(e.getMessage().startsWith("label 200 at x=7, y=7"), e.getMessage());
        assertThrows(DiffijException.class, () -> new LabelColoursCommand().apply(
                new ImagePlus("rgb", new ColorProcessor(4, 4)), "").get(0));
    }

    @Test
    void scribbleMacroDrawsTheRoiManagersStrokes() {
        ImagePlus scribble = HeadlessImageJ.runMacro("control_scribble.ijm", null).image();
        assertNotNull(scribble);
        assertEquals("Scribble of canvas", scribble.getTitle());
        assertEquals(255, scribble.getProcessor().get(60, 10), "on the horizontal stroke");
        assertEquals(255, scribble.getProcessor().get(60, 9), "3 px wide, centred on row 10 as ImageJ draws it");
        assertEquals(255, scribble.getProcessor().get(60, 11));
        assertEquals(0, scribble.getProcessor().get(60, 12));
        assertEquals(0, scribble.getProcessor().get(60, 8));
        assertEquals(0, scribble.getProcessor().get(60, 50), "between the strokes");
        ImagePlus line = shapes();
        line.setRoi(new ij.gui.Line(5, 60, 80, 60));
        ImagePlus own = new ScribbleFromRoisCommand().apply(line, "width=5").get(0);
        for (int y = 55; y <= 65; y++) {
            assertEquals(y >= 58 && y <= 62 ? 255 : 0, own.getProcessor().get(40, y), "row " + y);
        }
        assertThrows(DiffijException.class, () -> new ScribbleFromRoisCommand().apply(shapes(), "").get(0));
    }

    @Test
    void maskMacroFillsGrowsAndFeathersTheSelection() {
        ImagePlus photo = calibrated(new ImagePlus("photo", new ColorProcessor(100, 80)));
        photo.setRoi(new OvalRoi(30, 20, 40, 30));
        int[] before = ((int[]) photo.getProcessor().getPixels()).clone();
        ImagePlus mask = HeadlessImageJ.runMacro("control_mask.ijm", photo).image();
        assertNotNull(mask);
        assertEquals("Mask of photo", mask.getTitle());
        assertEquals(255, mask.getProcessor().get(50, 35), "inside");
        assertEquals(0, mask.getProcessor().get(5, 5), "far outside");
        int justOutside = mask.getProcessor().get(27, 35);
        assertTrue(justOutside > 128, "grown by 4 px: 3 px left of the oval is still mostly masked, got " + justOutside);
        assertArrayEquals(before, (int[]) photo.getProcessor().getPixels());
        ImagePlus line = shapes();
        line.setRoi(new ij.gui.Line(0, 0, 10, 10));
        DiffijException e = assertThrows(DiffijException.class, () -> new MaskFromSelectionCommand().apply(line, "").get(0));
        assertTrue(e.getMessage().contains("enclose no area"), e.getMessage());
        assertEquals("Mask of photo", HeadlessImageJ.runMacro("control_mask.ijm", null).image().getTitle());
    }

    @Test
    void anUngrownUnfeatheredMaskIsImageJsOwnSelectionMask() {
        ij.gui.Roi[] selections = {
            new ij.gui.PolygonRoi(new int[] {10, 60, 118, 40}, new int[] {80, 20, 70, 90}, 4, ij.gui.Roi.POLYGON),
            new ij.gui.PolygonRoi(new float[] {10.3f, 60.7f, 118.2f}, new float[] {80.5f, 20.1f, 70.9f}, 3,
                    ij.gui.Roi.POLYGON),
            new OvalRoi(30, 20, 41, 31),
            new ij.gui.Roi(5, 5, 10, 10),
            new ij.gui.ShapeRoi(new OvalRoi(5, 5, 30, 30)).or(new ij.gui.ShapeRoi(new ij.gui.Roi(60, 50, 30, 20))),
            new ij.gui.ShapeRoi(new OvalRoi(20, 10, 80, 70)).xor(new ij.gui.ShapeRoi(new OvalRoi(40, 30, 30, 25)))};
        for (ij.gui.Roi selection : selections) {
            ImagePlus image = new ImagePlus("image", new ByteProcessor(128, 100));
            image.setRoi(selection);
            byte[] ours = (byte[]) new MaskFromSelectionCommand().apply(image, "").get(0).getProcessor().getPixels();
            byte[] imageJ = (byte[]) image.createRoiMask().getPixels();
            assertArrayEquals(imageJ, ours, selection.getTypeAsString());
        }
    }
}
