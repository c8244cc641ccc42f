package org.diffij.plugin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.Prefs;
import ij.gui.Roi;
import org.diffij.pipelines.GenerationRequest;
import org.diffij.pipelines.Infotext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The generation macros of {@code macros/}, run headless through ImageJ's macro interpreter against
 * the tiny SD 1.5 model (given by path as the model last used), and the Recorder's line of a result
 * replayed as a macro.
 */
class DiffusionMacrosTest {

    @BeforeEach
    void lastUsedModels() {
        Prefs.set("diffij.last.model", HeadlessImageJ.model("tiny-sd15"));
        Prefs.set("diffij.last.controlnet", HeadlessImageJ.model("tiny-controlnet-sd15"));
    }

    private static int[] pixels(ImagePlus image, int slice) {
        return (int[]) image.getStack().getProcessor(slice).getPixels();
    }

    @Test
    void generateBatchMakesAThreeSliceStackAndItsRecordedLineReplaysToTheSamePixels() {
        HeadlessImageJ.MacroRun run = HeadlessImageJ.runMacro("generate_batch.ijm", null);
        ImagePlus batch = run.image();
        assertNotNull(batch, run.log());
        assertEquals(3, batch.getStackSize());
        assertEquals(64, batch.getWidth());
        assertTrue(batch.getTitle().startsWith("Generated - a lighthouse"), batch.getTitle());
        assertTrue(run.log().contains("Generated 3 images of 64 x 64"), run.log());
        GenerationRequest request = Infotext.parse(batch.getStack().getSliceLabel(3));
        assertEquals(1234, request.seed());
        assertEquals("DPM++ 2M Karras", request.sampler());
        assertEquals(3, request.batchSize());
        String recorded = "run(\"Generate...\", \"" + batch.getProp(Provenance.PARAMETERS) + "\");";
        ImagePlus replayed = new ij.macro.Interpreter().runBatchMacro(recorded, null);
        assertNotNull(replayed);
        for (int slice = 1; slice <= 3; slice++) {
            assertArrayEquals(pixels(batch, slice), pixels(replayed, slice), "slice " + slice);
        }
    }

    @Test
    void img2imgStackRunsPerSliceWithSeedPlusIndexAndKeepsCalibration() {
        HeadlessImageJ.MacroRun run = HeadlessImageJ.runMacro("img2img_stack.ijm", null);
        ImagePlus result = run.image();
        assertNotNull(result, run.log());
        assertEquals(3, result.getStackSize());
        assertEquals(0.2, result.getCalibration().pixelWidth, 1e-12);
        for (int slice = 1; slice <= 3; slice++) {
            GenerationRequest request = Infotext.parse(result.getStack().getSliceLabel(slice));
            assertEquals(100 + slice - 1, request.seed());
            assertEquals("demo stack slice " + slice, request.initImage());
        }
        assertTrue(run.log().contains("3 slices, pixel size 0.2"), run.log());
    }

    @Test
    void inpaintSelectionLeavesTheSourceAndItsSelection() {
        ImagePlus garden = IJ.createImage("garden", "RGB white", 64, 64, 1);
        garden.setRoi(new ij.gui.OvalRoi(10, 10, 30, 30));
        int[] before = ((int[]) garden.getProcessor().getPixels()).clone();
        HeadlessImageJ.MacroRun run = HeadlessImageJ.runMacro("inpaint_selection.ijm", garden);
        ImagePlus result = run.image();
        assertNotNull(result, run.log());
        assertTrue(result != garden && result.getTitle().startsWith("Generated - a red flower"), result.getTitle());
        assertArrayEquals(before, (int[]) garden.getProcessor().getPixels());
        assertEquals(Roi.OVAL, garden.getRoi().getType());
        GenerationRequest request = Provenance.request(result);
        assertEquals("selection of garden (grow 2, feather 2)", request.mask());
        assertEquals(1.0, request.strength());
    }

    @Test
    void controlFromEdgesGeneratesWithTheCannyImageOfTheSource() {
        HeadlessImageJ.MacroRun run = HeadlessImageJ.runMacro("control_from_edges.ijm", null);
        ImagePlus result = run.image();
        assertNotNull(result, run.log());
        GenerationRequest request = Provenance.request(result);
        assertEquals(1, request.controls().size());
        assertEquals("Canny of shapes", request.controls().get(0).image());
        assertEquals(HeadlessImageJ.model("tiny-controlnet-sd15"), request.controls().get(0).model());
        assertTrue(run.log().contains("Generated with the edges of Canny of shapes"), run.log());
    }
}
