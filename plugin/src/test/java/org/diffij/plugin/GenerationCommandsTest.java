package org.diffij.plugin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.OvalRoi;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.ShortProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.awt.event.KeyEvent;
import org.diffij.DiffijException;
import org.diffij.demo.ShapesEvaluator;
import org.diffij.engine.JobCancelledException;
import org.diffij.image.PngFiles;
import org.diffij.image.RgbImage;
import org.diffij.io.HostTensor;
import org.diffij.io.ModelHash;
import org.diffij.io.SafetensorsWriter;
import org.diffij.io.WeightSet;
import org.diffij.pipelines.GenerationRequest;
import org.diffij.pipelines.GenerationResult;
import org.diffij.pipelines.Generator;
import org.diffij.pipelines.ImageSources;
import org.diffij.pipelines.Infotext;
import org.diffij.pipelines.IpAdapterPrompt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generation commands, run headless with macro options against the tiny SD 1.5 model. */
class GenerationCommandsTest {

    private static String common(long seed, int width, int height, int batch) {
        return "model=[" + HeadlessImageJ.model("tiny-sd15") + "] prompt=[a red cat] negative=[blurry] "
                + "sampler=[Euler a] steps=2 cfg=7 seed=" + seed + " width=" + width + " height=" + height
                + " batch=" + batch;
    }

    private static int[] pixels(ImagePlus image, int slice) {
        return (int[]) image.getStack().getProcessor(slice).getPixels();
    }

    private static ImagePlus gray16Stack(String title, int width, int height, int slices) {
        ImageStack stack = new ImageStack(width, height);
        for (int z = 0; z < slices; z++) {
            ShortProcessor ip = new ShortProcessor(width, height);
            for (int i = 0; i < width * height; i++) {
                ip.set(i, (i * (z + 3) * 37) % 4000);
            }
            stack.addSlice(ip);
        }
        ImagePlus image = new ImagePlus(title, stack);
        image.setDisplayRange(0, 4000);
        image.getCalibration().pixelWidth = 0.5;
        image.getCalibration().pixelHeight = 0.5;
        image.getCalibration().setUnit("um");
        return image;
    }

    @Test
    void generateMakesAStackForABatchEqualToTheSdkCallWithItsRequestOnIt() {
        ImagePlus batch = new GenerateCommand().apply(null, common(42, 64, 64, 2));
        assertEquals(2, batch.getStackSize());
        assertEquals(24, batch.getBitDepth());
        assertEquals(64, batch.getWidth());
        assertTrue(batch.getTitle().startsWith("Generated - a red cat (seed 42)"), batch.getTitle());
        GenerationRequest recorded = GenerationRequest.fromMacroOptions(batch.getProp(Provenance.PARAMETERS));
        assertEquals(42, recorded.seed());
        assertEquals(2, recorded.batchSize());
        assertEquals(64, recorded.modelHash().length(), "the model's SHA-256 is recorded");
        String info = (String) batch.getProperty("Info");
        assertEquals(recorded, Infotext.parse(info));
        assertTrue(info.contains("Version: Diffij"), info);
        assertEquals(info.replace("Batch size: 2", "Batch size: 2, Batch pos: 1"),
                batch.getStack().getSliceLabel(2), "every slice is labelled with what reproduces it");
        GenerationResult direct = new Generator(Generator.byPath(), null, "test")
                .submit(recorded.withModelHash(""), source -> {
                    throw new DiffijException("no sources");
                }, null).await();
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(direct.images().get(i).toPackedRgb(), pixels(batch, i + 1), "image " + i);
        }
        assertFalse(Arrays.equals(pixels(batch, 1), pixels(batch, 2)), "a batch holds different images");
    }

    @Test
    void reRunFromTheImageAndFromItsPngGivesTheSamePixels(@TempDir Path folder) {
        ImagePlus first = new GenerateCommand().apply(null, common(7, 64, 64, 1));
        ImagePlus again = new RerunCommand().apply(first, "");
        assertArrayEquals(pixels(first, 1), pixels(again, 1));
        Path png = folder.resolve("cat.png");
        SavePngCommand.save(first, png);
        assertEquals(first.getProperty("Info"), PngFiles.readText(png).get("parameters"));
        Path recorded = folder.resolve("recorded.png");
        HeadlessImageJ.registerCommands();
        new ij.macro.Interpreter().runBatchMacro("run(\"Save as PNG with Parameters...\", \"path=[" + recorded
                + "]\");", first);
        assertEquals(first.getProperty("Info"), PngFiles.readText(recorded).get("parameters"), "the macro line saves");
        DiffijException exists = assertThrows(DiffijException.class, () -> SavePngCommand.save(first, png));
        assertTrue(exists.getMessage().contains("exists"), exists.getMessage());
        ImagePlus opened = IJ.openImage(png.toString());
        assertNotNull(opened);
        assertArrayEquals(Arrays.stream(pixels(first, 1)).map(p -> p & 0xffffff).toArray(),
                Arrays.stream((int[]) opened.getProcessor().getPixels()).map(p -> p & 0xffffff).toArray(),
                "PNG is lossless");
        assertTrue(opened.getProperty("Info") == null || !((String) opened.getProperty("Info")).contains("Steps:"),
                "the request comes from the PNG's parameters chunk, not from ImageJ");
        ImagePlus fromPng = new RerunCommand().apply(opened, "");
        assertArrayEquals(pixels(first, 1), pixels(fromPng, 1));
    }

    @Test
    void reRunOfSliceThreeOfABatchGivesSliceThreeForBothNoiseKinds() {
        for (String noise : List.of("cpu", "gpu")) {
            ImagePlus batch = new GenerateCommand().apply(null, common(21, 64, 64, 4) + " noise=" + noise);
            assertEquals(4, batch.getStackSize());
            GenerationRequest third = Infotext.parse(batch.getStack().getSliceLabel(3));
            assertEquals(3, third.batchPosition(), noise);
            assertEquals(4, third.batchSize(), noise);
            assertTrue(batch.getStack().getSliceLabel(3).contains("Seed: " + (noise.equals("gpu") ? 23 : 21)
                    + ","), "the slice records its own seed with " + noise + " noise");
            batch.setSlice(3);
            ImagePlus again = new RerunCommand().apply(batch, "");
            assertEquals(1, again.getStackSize(), noise);
            assertArrayEquals(pixels(batch, 3), pixels(again, 1), "re-run of slice 3 with " + noise + " noise");
            assertFalse(Arrays.equals(pixels(batch, 1), pixels(again, 1)), noise);
            assertEquals(third, Provenance.request(again), "the re-run records the same image");
            assertTrue(again.getTitle().startsWith("Re-run of "), again.getTitle());
        }
    }

    @Test
    void aFailedRunKeepsTheLastModelThatWorkedAndDialogMemoryStaysOutOfMacroRuns() {
        String good = HeadlessImageJ.model("tiny-sd15");
        new GenerateCommand().apply(null, common(2, 64, 64, 1));
        assertEquals(good, ij.Prefs.get("diffij.last.model", ""), "a run that worked is remembered");
        assertThrows(DiffijException.class, () -> new GenerateCommand().apply(null, "model=[/nowhere/sd15] prompt=cat"));
        assertEquals(good, ij.Prefs.get("diffij.last.model", ""), "a failed run leaves the model that worked");
        ij.Prefs.set("diffij.dialog.generate.steps", "40");
        try {
            ImagePlus recorded = new GenerateCommand().apply(null, common(2, 64, 64, 1).replace(" steps=2", ""));
            assertEquals(25, Provenance.request(recorded).steps(), "a macro line's missing key keeps its default");
        } finally {
            ij.Prefs.set("diffij.dialog.generate.steps", null);
        }
    }

    /** A new user's first run: the built-in model by name, at its own 64x64 (the dialog's size 0), drawing the caption. */
    @Test
    void theDemoModelWorksOutOfTheBoxAtItsOwnSize() {
        ImagePlus image = new GenerateCommand().apply(null, "model=demo prompt=[a blue circle on a black background] "
                + "seed=3 width=0 height=0");
        assertEquals(64, image.getWidth());
        assertEquals(64, image.getHeight());
        assertEquals(64, Provenance.request(image).width(), "the size made of 0 is recorded");
        ShapesEvaluator.Reading reading = ShapesEvaluator.read(RgbImage.fromPackedRgb(64, 64,
                (int[]) image.getProcessor().getPixels()));
        assertEquals("blue circle on black", reading.toString());
    }

    @Test
    void sizesAreRoundedToMultiplesOfEightNotRefused() {
        ImagePlus image = new GenerateCommand().apply(null, common(3, 60, 70, 1));
        assertEquals(64, image.getWidth());
        assertEquals(72, image.getHeight());
    }

    @Test
    void imageToImageOverA16BitStackWithSeedPlusIndexKeepsCalibrationAndTheSource() {
        ImagePlus source = gray16Stack("cells", 60, 60, 3);
        short[] before = ((short[]) source.getStack().getPixels(2)).clone();
        ImagePlus result = new ImageToImageCommand().apply(source, common(5, 60, 60, 1)
                + " strength=0.6 stack=[all slices] seeds=seed+index");
        assertEquals(3, result.getStackSize());
        assertEquals(64, result.getWidth(), "60 rounds to 64");
        assertEquals(0.5 * 60 / 64, result.getCalibration().pixelWidth, 1e-12, "calibration follows the resize");
        assertEquals(source.getCalibration().getUnit(), result.getCalibration().getUnit());
        assertArrayEquals(before, (short[]) source.getStack().getPixels(2), "the source is unchanged");
        for (int slice = 1; slice <= 3; slice++) {
            GenerationRequest request = Infotext.parse(result.getStack().getSliceLabel(slice));
            assertEquals(5 + slice - 1, request.seed());
            assertEquals("cells slice " + slice, request.initImage());
            assertEquals(0.6, request.strength());
        }
        ImagePlus single = new ImageToImageCommand().apply(source, common(5, 64, 64, 1) + " strength=0.6");
        assertEquals(1, single.getStackSize(), "by default the current slice only");
        assertEquals("cells slice 1", Provenance.request(single).initImage());
        result.setSlice(2);
        ImagePlus again = HeadlessImageJ.withOpen(() -> new RerunCommand().apply(result, ""), source);
        assertArrayEquals(pixels(result, 2), pixels(again, 1), "re-run of slice 2 (the stack's current slice)");
    }

    @Test
    void imageToImageUsesGrayAndRgbImagesThroughTheirDisplay() {
        ByteProcessor gray = new ByteProcessor(64, 64);
        gray.setColor(200);
        gray.fillOval(10, 10, 40, 40);
        ImagePlus fromGray = new ImageToImageCommand().apply(new ImagePlus("disc", gray),
                common(9, 64, 64, 1) + " strength=0.5");
        ImagePlus fromRgb = new ImageToImageCommand().apply(new ImagePlus("disc", gray.convertToColorProcessor()),
                common(9, 64, 64, 1) + " strength=0.5");
        assertArrayEquals(pixels(fromGray, 1), pixels(fromRgb, 1), "8-bit enters as its RGB rendering");
    }

    /** A noisy colour photo, so that every changed pixel shows. */
    private static ImagePlus noisyPhoto(String title, int width, int height) {
        ColorProcessor ip = new ColorProcessor(width, height);
        java.util.Random random = new java.util.Random(11);
        int[] pixels = (int[]) ip.getPixels();
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = random.nextInt(1 << 24);
        }
        return new ImagePlus(title, ip);
    }

    /**
     * Asserts that every pixel the grown, feathered selection leaves at 0 is the source's own, and
     * returns how many pixels inside it changed.
     */
    private static int assertKeptOutside(ImagePlus photo, double grow, double feather, ImagePlus result) {
        assertEquals(photo.getWidth(), result.getWidth());
        assertEquals(photo.getHeight(), result.getHeight());
        float[] mask = WindowImages.mask(photo, grow, feather).luminance();
        int[] source = (int[]) photo.getProcessor().getPixels();
        int[] made = pixels(result, 1);
        int changedInside = 0;
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] == 0) {
                assertEquals(source[i] & 0xffffff, made[i] & 0xffffff, "pixel " + i % photo.getWidth() + ","
                        + i / photo.getWidth() + " lies outside the selection");
            } else if (mask[i] == 1 && (source[i] & 0xffffff) != (made[i] & 0xffffff)) {
                changedInside++;
            }
        }
        return changedInside;
    }

    @Test
    void inpaintSelectionMakesANewImageFromTheGrownFeatheredSelection() {
        ImagePlus photo = noisyPhoto("photo", 64, 64);
        int[] before = ((int[]) photo.getProcessor().getPixels()).clone();
        String options = common(1, 64, 64, 1);
        DiffijException none = assertThrows(DiffijException.class,
                () -> new InpaintSelectionCommand().apply(photo, options));
        assertTrue(none.getMessage().contains("no area selection"), none.getMessage());
        photo.setRoi(new OvalRoi(16, 16, 24, 24));
        ImagePlus result = new InpaintSelectionCommand().apply(photo, common(1, 64, 64, 1) + " grow=2 feather=1.5");
        assertArrayEquals(before, (int[]) photo.getProcessor().getPixels(), "the source is never modified");
        assertNotNull(photo.getRoi(), "the selection stays");
        assertTrue(assertKeptOutside(photo, 2, 1.5, result) > 200, "the selection is repainted");
        GenerationRequest request = Provenance.request(result);
        assertEquals("selection of photo (grow 2, feather 1.5)", request.mask());
        assertEquals("photo", request.initImage());
        assertEquals(1.0, request.strength());
        assertArrayEquals(pixels(result, 1), pixels(HeadlessImageJ.withOpen(() -> new RerunCommand().apply(result, ""),
                photo), 1), "re-run finds the image and its selection again");
        ImagePlus plain = new ImageToImageCommand().apply(photo, common(1, 64, 64, 1) + " strength=1");
        assertFalse(Arrays.equals(pixels(result, 1), pixels(plain, 1)), "the mask changes the result");
    }

    @Test
    void inpaintSelectionOnlyMaskedRepaintsAroundTheSelectionAtTheSourceSize() {
        ImagePlus photo = noisyPhoto("field", 200, 150);
        photo.setRoi(new OvalRoi(120, 30, 20, 16));
        ImagePlus result = new InpaintSelectionCommand().apply(photo, common(3, 64, 64, 1)
                + " strength=0.9 grow=1 feather=1 area=[Only masked] padding=12");
        assertTrue(assertKeptOutside(photo, 1, 1, result) > 100, "the selection is repainted");
        GenerationRequest request = Provenance.request(result);
        assertEquals(12, request.onlyMaskedPadding());
        assertEquals(64, request.width(), "generated at the request's size");
        assertTrue(((String) result.getProperty("Info")).contains("Inpaint area: Only masked"));
        assertArrayEquals(pixels(result, 1), pixels(HeadlessImageJ.withOpen(() -> new RerunCommand().apply(result, ""),
                photo), 1), "re-run repaints the same");
    }

    @Test
    void controlNetTakesItsControlImageFromAWindow() {
        ByteProcessor edges = new ByteProcessor(64, 64);
        edges.setColor(255);
        edges.drawOval(12, 12, 40, 40);
        ImagePlus control = new ImagePlus("Canny of disc", edges);
        String controls = " controls=[canny|" + HeadlessImageJ.model("tiny-controlnet-sd15") + "|Canny of disc|1|0|1]";
        ImagePlus result = new ControlNetCommand().apply(control, common(4, 64, 64, 1) + controls);
        GenerationRequest request = Provenance.request(result);
        assertEquals(1, request.controls().size());
        assertEquals("Canny of disc", request.controls().get(0).image());
        ImagePlus weaker = new ControlNetCommand().apply(control, common(4, 64, 64, 1)
                + controls.replace("|1|0|1]", "|0|0|1]"));
        assertFalse(Arrays.equals(pixels(result, 1), pixels(weaker, 1)), "the control acts");
        String noWindow = common(4, 64, 64, 1) + controls.replace("|Canny of disc|", "|no such window|");
        DiffijException missing = assertThrows(DiffijException.class, () -> new ControlNetCommand().apply(control,
                noWindow));
        assertTrue(missing.getMessage().contains("no such window"), missing.getMessage());
    }

    @Test
    void adaptersAreAppliedRecordedAndReRun() {
        Path lora = Path.of(HeadlessImageJ.model("tiny-sd15")).resolveSibling("lora/tiny-sd15-lora-kohya.safetensors");
        assertTrue(Files.isRegularFile(lora), lora.toString());
        ImagePlus plain = new GenerateCommand().apply(null, common(8, 64, 64, 1));
        ImagePlus adapted = new GenerateCommand().apply(null, common(8, 64, 64, 1) + " adapters=[lora|" + lora
                + "|0.8]");
        GenerationRequest request = Provenance.request(adapted);
        assertEquals(1, request.adapters().size());
        assertEquals(0.8, request.adapters().get(0).weight());
        assertFalse(Arrays.equals(pixels(plain, 1), pixels(adapted, 1)), "the LoRA acts");
        assertArrayEquals(pixels(adapted, 1), pixels(new RerunCommand().apply(adapted, ""), 1));
    }

    @Test
    void theIpAdapterKeyOfAMacroLineIsAppliedRecordedAndReRun() {
        String adapter = Path.of(HeadlessImageJ.model("tiny-ip-adapter-sd15"), "models", "ip-adapter_sd15.safetensors")
                .toString();
        ColorProcessor stripes = new ColorProcessor(48, 40);
        for (int x = 0; x < 48; x += 12) {
            stripes.setColor(0xe0c020);
            stripes.fillRect(x, 0, 6, 40);
        }
        ImagePlus style = new ImagePlus("style", stripes);
        ImagePlus plain = new GenerateCommand().apply(null, common(8, 64, 64, 1));
        HeadlessImageJ.registerCommands();
        String options = common(8, 64, 64, 1) + " ip_adapter=[" + adapter + "|style|0.6]";
        ImagePlus prompted = HeadlessImageJ.withOpen(() -> new ij.macro.Interpreter().runBatchMacro(
                "run(\"Generate...\", \"" + options + "\");", null), style);
        assertNotNull(prompted);
        assertTrue(prompted.getTitle().startsWith("Generated"), prompted.getTitle());
        GenerationRequest request = Provenance.request(prompted);
        assertEquals(new IpAdapterPrompt(adapter, "style", 0.6), request.imagePrompt());
        assertEquals(request, GenerationRequest.fromMacroOptions(prompted.getProp(Provenance.PARAMETERS)));
        assertEquals(request, Infotext.parse((String) prompted.getProperty("Info")));
        assertFalse(Arrays.equals(pixels(plain, 1), pixels(prompted, 1)), "the image prompt acts");
        assertArrayEquals(pixels(prompted, 1), pixels(HeadlessImageJ.withOpen(
                () -> new RerunCommand().apply(prompted, ""), style), 1), "re-run finds the style image again");
    }

    @Test
    void theVaeKeyTakesANameInTheModelFoldersVaeDirIsRecordedAndReRun(@TempDir Path dir) throws Exception {
        // An A1111 installation whose models/VAE holds a VAE that brightens: the tiny model's own, LDM-named, with
        // its last decoder bias shifted.
        Path webui = dir.resolve("webui");
        Files.createDirectories(webui.resolve("models/Stable-diffusion"));
        Path vaeFile = Files.createDirectories(webui.resolve("models/VAE")).resolve("bright-vae.safetensors");
        Map<String, HostTensor> ldm = new LinkedHashMap<>();
        try (WeightSet weights = WeightSet.open(Path.of(HeadlessImageJ.model("tiny-sd15-single-file"),
                "tiny-sd15.safetensors"))) {
            weights.names().stream().filter(n -> n.startsWith("first_stage_model.")).forEach(n -> ldm.put(
                    n.substring("first_stage_model.".length()), weights.read(n)));
        }
        HostTensor bias = ldm.get("decoder.conv_out.bias");
        float[] shifted = bias.toFloatArray();
        for (int i = 0; i < shifted.length; i++) {
            shifted[i] += 0.5f;
        }
        ldm.put("decoder.conv_out.bias", HostTensor.ofFloats(shifted, bias.shape()));
        SafetensorsWriter.write(vaeFile, ldm, Map.of());
        SettingsCommand.apply("models=[" + webui + "] config=[] memory=[]");
        try {
            ImagePlus plain = new GenerateCommand().apply(null, common(8, 64, 64, 1));
            HeadlessImageJ.registerCommands();
            ImagePlus bright = new ij.macro.Interpreter().runBatchMacro("run(\"Generate...\", \""
                    + common(8, 64, 64, 1) + " vae=bright-vae\");", null);
            assertNotNull(bright);
            GenerationRequest request = Provenance.request(bright);
            assertEquals("bright-vae", request.vae());
            assertEquals(ModelHash.of(vaeFile), request.vaeHash(), "the VAE file found by name is hashed");
            assertTrue(((String) bright.getProperty("Info")).contains("VAE: bright-vae"), (String) bright.getProperty("Info"));
            assertTrue(bright.getProp(Provenance.PARAMETERS).contains("vae=bright-vae"),
                    "the Recorder's line has the key: " + bright.getProp(Provenance.PARAMETERS));
            assertFalse(Arrays.equals(pixels(plain, 1), pixels(bright, 1)), "the separate VAE decodes");
            assertArrayEquals(pixels(bright, 1), pixels(new RerunCommand().apply(bright, ""), 1));
            ImagePlus replayed = new ij.macro.Interpreter().runBatchMacro("run(\"Generate...\", \""
                    + bright.getProp(Provenance.PARAMETERS) + "\");", null);
            assertArrayEquals(pixels(bright, 1), pixels(replayed, 1), "the recorded line replays");
            DiffijException unknown = assertThrows(DiffijException.class, () -> new GenerateCommand().apply(null,
                    common(8, 64, 64, 1) + " vae=no-such-vae"));
            assertTrue(unknown.getMessage().contains("'no-such-vae' not found"), unknown.getMessage());
        } finally {
            SettingsCommand.apply("models=[] memory=[]");
        }
    }

    @Test
    void escapeCancelsARunningGeneration() {
        GenerationRequest slow = GenerationRequest.fromMacroOptions(common(2, 64, 64, 1).replace("steps=2", "steps=400"))
                .withInit("still", "", 1.0);
        List<String> asked = new ArrayList<>();
        ImageSources pressEscWhileRunning = source -> {
            asked.add(source);
            IJ.setKeyDown(KeyEvent.VK_ESCAPE);
            return WindowImages.rgb(new ColorProcessor(64, 64));
        };
        Generator generator = new Generator(Generator.byPath(), null, "test");
        assertThrows(JobCancelledException.class,
                () -> GenerationRun.run("Generate", generator, slow, pressEscWhileRunning, null));
        assertEquals(List.of("still"), asked, "the job was running when Esc came");
        IJ.resetEscape();
        assertEquals(64, new GenerateCommand().apply(null, common(2, 64, 64, 1)).getWidth(), "the engine works on");
    }

    @Test
    void theWindowChooserSetsTheFirstControlsImageOnly() {
        assertEquals("canny|cn|edges 2|0.5|0|1;depth|dn|d|1|0|1",
                ControlNetCommand.withFirstImage("canny|cn|edges|0.5|0|1;depth|dn|d|1|0|1", "edges 2"));
        assertEquals("no spec", ControlNetCommand.withFirstImage("no spec", "edges"));
    }

    @Test
    void badParametersGiveOneClearMessage() {
        DiffijException model = assertThrows(DiffijException.class,
                () -> new GenerateCommand().apply(null, "model=[/nowhere/sd15] prompt=cat"));
        assertTrue(model.getMessage().contains("'/nowhere/sd15' not found"), model.getMessage());
        String misspelt = common(1, 64, 64, 1).replace("Euler a", "Eulr");
        DiffijException sampler = assertThrows(DiffijException.class,
                () -> new GenerateCommand().apply(null, misspelt));
        assertTrue(sampler.getMessage().contains("'sampler' must be one of"), sampler.getMessage());
    }

    @Test
    void settingsAreKeptAndResolveModelNamesInTheModelFolders() throws Exception {
        Path models = Path.of(HeadlessImageJ.model("tiny-sd15")).getParent();
        DiffusionSettings settings = SettingsCommand.apply("models=[" + models + "] config=[] device=cpu threads=2 "
                + "memory=2g");
        assertEquals(List.of(models), DiffusionSettings.load().modelFolders());
        assertEquals("2g", DiffusionSettings.load().memoryBudget());
        assertEquals(models.resolve("tiny-sd15"), settings.modelResolver().apply("tiny-sd15"));
        assertTrue(Files.isDirectory(settings.modelResolver().apply("tiny-sd15")));
        DiffijException bad = assertThrows(DiffijException.class, () -> SettingsCommand.apply("memory=lots"));
        assertTrue(bad.getMessage().contains("not a memory size"), bad.getMessage());
        SettingsCommand.apply("models=[] memory=[]");
    }
}
