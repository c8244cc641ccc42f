package org.diffij.plugin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import ij.ImagePlus;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.process.ShortProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.diffij.DiffijException;
import org.diffij.conditioning.PercentileNormalisation;
import org.diffij.io.SafetensorsFile;
import org.diffij.pipelines.MacroOptions;
import org.diffij.training.DataOptions;
import org.diffij.training.ImageSample;
import org.diffij.training.TrainingRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How gray training images become 8-bit RGB: the display range by default, or {@code normalise=percentile}. */
class TrainingNormalisationTest {

    @TempDir
    Path dir;

    /** A 16-bit 64x64 slice: values 1000..4969 with a few hot pixels at 60000 that a min-max stretch would follow. */
    private static ImagePlus hotPixels() {
        short[] values = new short[64 * 64];
        for (int i = 0; i < values.length; i++) {
            values[i] = (short) (1000 + (i * 31) % 3970);
        }
        for (int i = 0; i < 10; i++) {
            values[i * 401] = (short) 60000;
        }
        ImagePlus image = new ImagePlus("spots.tif", new ShortProcessor(64, 64, values, null));
        image.getStack().setSliceLabel("fluorescent spots", 1);
        image.getCalibration().pixelWidth = 0.25;
        image.getCalibration().pixelHeight = 0.25;
        image.getCalibration().setUnit("mm");
        return image;
    }

    private static int gray(ImageSample sample, int x, int y) {
        int rgb = sample.image().rgb()[y * sample.image().width() + x];
        assertEquals(rgb & 0xff, rgb >> 16 & 0xff, "gray stays gray");
        assertEquals(rgb & 0xff, rgb >> 8 & 0xff, "gray stays gray");
        return rgb & 0xff;
    }

    @Test
    void percentileNormalisationIsTheConditioningCommandsRuleAppliedToTheWholeSlice() {
        ImagePlus image = hotPixels();
        PercentileNormalisation rule = PercentileNormalisation.standard();
        PercentileNormalisation.Range range = rule.range(ImgLibBridge.gray(image.getProcessor()));
        assertTrue(range.high() < 60000, "the hot pixels lie above the 99.5th percentile");
        ij.process.ImageProcessor canny = ImgLibBridge.processor(rule.toUnsignedBytes(
                ImgLibBridge.gray(image.getProcessor())));
        ImageSample slice = TrainingSources.samples("stack:spots.tif", DataOptions.Normalise.PERCENTILE, image).get(0);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                assertEquals(canny.get(x, y), gray(slice, x, y), "pixel " + x + "," + y);
            }
        }
        assertEquals(255, gray(slice, 0, 0), "a hot pixel saturates");
        assertTrue(slice.geometry().contains(", intensities " + MacroOptions.number(range.low()) + ".."
                + MacroOptions.number(range.high()) + " to 0..255 (percentiles 0.5-99.5 of the slice)"),
                slice.geometry());
        assertTrue(slice.geometry().endsWith(", pixel 0.25 x 0.25 mm"), slice.geometry());
        // An ROI crop keeps the brightness it has in its slice: the slice's percentiles, not the crop's.
        image.setOverlay(new Overlay(new Roi(10, 20, 16, 12)));
        ImageSample crop = TrainingSources.samples("rois:spots.tif", DataOptions.Normalise.PERCENTILE, image).get(0);
        for (int y = 0; y < 12; y++) {
            for (int x = 0; x < 16; x++) {
                assertEquals(canny.get(10 + x, 20 + y), gray(crop, x, y), "crop pixel " + x + "," + y);
            }
        }
        assertEquals(slice.geometry().substring(slice.geometry().indexOf(", intensities")),
                crop.geometry().substring(crop.geometry().indexOf(", intensities")));
    }

    @Test
    void byDefaultTheDisplayRangeMapsGrayImagesAndIsRecorded() {
        ImagePlus image = hotPixels();
        image.setDisplayRange(2000, 4000);
        ImageSample slice = TrainingSources.samples("stack:spots.tif", DataOptions.Normalise.DISPLAY, image).get(0);
        assertEquals(0, gray(slice, 1, 0), "value 1031 lies below the display range");
        assertEquals(255, gray(slice, 0, 0), "a hot pixel lies above it");
        ij.process.ImageProcessor shown = image.getProcessor().convertToByte(true);
        for (int i = 0; i < 64 * 64; i++) {
            assertEquals(shown.get(i), gray(slice, i % 64, i / 64), "pixel " + i + " as ImageJ shows it");
        }
        assertTrue(slice.geometry().contains(", intensities 2000..4000 to 0..255 (display range)"), slice.geometry());
        assertArrayEquals((short[]) hotPixels().getProcessor().getPixels(), (short[]) image.getProcessor().getPixels(),
                "the image is not modified");
    }

    @Test
    void theKeyIsInTheRequestAndTheTrainedFileAndAFolderRefusesIt() throws Exception {
        String model = HeadlessImageJ.model("tiny-sd15");
        ImagePlus image = hotPixels();
        Path output = dir.resolve("spots.safetensors");
        String options = "model=[" + model + "] data=[stack:spots.tif] output=[" + output + "] formats=safetensors "
                + "normalise=percentile steps=1 resolution=64 seed=2";
        TrainingRequest request = new TrainHypernetworkCommand().request(image, options);
        assertEquals(DataOptions.Normalise.PERCENTILE, request.dataOptions().normalise());
        HeadlessImageJ.withOpen(() -> new TrainHypernetworkCommand().apply(image, options), image);
        try (SafetensorsFile file = SafetensorsFile.open(output)) {
            assertEquals(request.toMacroOptions(), file.metadata().get("diffij.training_request"));
            assertTrue(file.metadata().get("diffij.training_request").contains(" normalise=percentile "));
            String geometry = JsonParser.parseString(file.metadata().get("diffij.samples")).getAsJsonArray().get(0)
                    .getAsJsonObject().get("geometry").getAsString();
            assertTrue(geometry.contains("(percentiles 0.5-99.5 of the slice), pixel 0.25 x 0.25 mm"), geometry);
        }
        Path folder = Files.createDirectories(dir.resolve("images"));
        String folderOptions = "model=[" + model + "] data=[" + folder + "] output=[" + dir.resolve("f.safetensors")
                + "] normalise=percentile steps=1";
        DiffijException refused = assertThrows(DiffijException.class,
                () -> new TrainLoraCommand().apply(null, folderOptions));
        assertTrue(refused.getMessage().startsWith("normalise=percentile is for open images"), refused.getMessage());
    }
}
