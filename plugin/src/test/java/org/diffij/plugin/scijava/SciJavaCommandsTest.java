package org.diffij.plugin.scijava;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.gui.OvalRoi;
import ij.process.ColorProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.diffij.DiffijException;
import org.diffij.engine.DiffijEngine;
import org.diffij.pipelines.GenerationRequest;
import org.diffij.plugin.DiffusionSettings;
import org.diffij.plugin.EscapeOnLog;
import org.diffij.plugin.GenerateCommand;
import org.diffij.plugin.InpaintSelectionCommand;
import org.diffij.plugin.MethodTrainingCommand;
import org.diffij.plugin.SafetensorsValues;
import org.diffij.plugin.TrainDreamBoothCommand;
import org.diffij.plugin.TrainHypernetworkCommand;
import org.diffij.plugin.TrainLoraCommand;
import org.diffij.plugin.TrainTextualInversionCommand;
import org.diffij.training.TrainingRequest;
import org.diffij.plugin.Provenance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.command.Command;
import org.scijava.command.CommandModule;
import org.scijava.command.CommandService;
import org.scijava.plugin.PluginInfo;

/** The SciJava commands and service, in a SciJava context as scripts and headless runs use them. */
class SciJavaCommandsTest {

    private static Context context;

    @BeforeAll
    static void start() {
        context = new Context(CommandService.class, DiffusionService.class);
    }

    @AfterAll
    static void stop() {
        context.dispose();
    }

    private static String model() {
        Path path = Path.of(System.getProperty("diffij.project.root")).resolve("../shared/golden/models/tiny-sd15")
                .normalize();
        assertTrue(Files.isDirectory(path), path.toString());
        return path.toString();
    }

    private static ImagePlus run(Class<? extends Command> command, Object... inputs) throws Exception {
        CommandModule module = context.service(CommandService.class).run(command, true, inputs).get();
        return (ImagePlus) module.getOutput("image");
    }

    @Test
    void theServiceStartsTheEngineAndDisposingItsContextShutsTheEngineDown() {
        Context own = new Context(DiffusionService.class);
        DiffijEngine engine = own.service(DiffusionService.class).engine();
        assertTrue(DiffijEngine.isStarted());
        assertEquals(DiffusionSettings.load().engineSettings(), engine.settings());
        own.dispose();
        assertFalse(DiffijEngine.isStarted(), "the engine goes with the context that owns it");
    }

    @Test
    void theCommandsAndTheServiceAreFoundThroughThePluginIndex() {
        List<String> commands = context.service(CommandService.class).getCommands().stream()
                .map(PluginInfo::getClassName).toList();
        for (Class<?> type : List.of(GenerateImage.class, ImageToImage.class, InpaintSelection.class,
                GenerateWithControlNet.class, RerunFromImage.class, TrainLora.class, TrainTextualInversion.class,
                TrainDreamBooth.class, TrainHypernetwork.class, ResumeTraining.class)) {
            assertTrue(commands.contains(type.getName()), type.getName());
        }
        assertTrue(context.service(DiffusionService.class) instanceof DefaultDiffusionService);
    }

    @Test
    void generateAndTheServiceGiveTheMenuCommandsImageAndReRunReproducesIt() throws Exception {
        ImagePlus scripted = run(GenerateImage.class, "model", model(), "prompt", "a cat", "sampler", "Euler a",
                "steps", 2, "seed", 11L, "width", 64, "height", 64);
        ImagePlus menu = new GenerateCommand().apply(null, "model=[" + model() + "] prompt=[a cat] sampler=[Euler a] "
                + "steps=2 seed=11 width=64 height=64");
        assertArrayEquals((int[]) menu.getProcessor().getPixels(), (int[]) scripted.getProcessor().getPixels());
        assertEquals(menu.getProp(Provenance.PARAMETERS), scripted.getProp(Provenance.PARAMETERS));
        GenerationRequest request = GenerationRequest.fromMacroOptions(scripted.getProp(Provenance.PARAMETERS));
        ImagePlus fromService = context.service(DiffusionService.class).generate(request);
        assertArrayEquals((int[]) scripted.getProcessor().getPixels(), (int[]) fromService.getProcessor().getPixels());
        ImagePlus again = run(RerunFromImage.class, "source", scripted);
        assertArrayEquals((int[]) scripted.getProcessor().getPixels(), (int[]) again.getProcessor().getPixels());
    }

    @Test
    void inpaintGivesTheMenuCommandsImage() throws Exception {
        ColorProcessor ip = new ColorProcessor(64, 64);
        ip.setColor(0x808040);
        ip.fill();
        ImagePlus photo = new ImagePlus("wall", ip);
        photo.setRoi(new OvalRoi(20, 20, 20, 20));
        ImagePlus scripted = run(InpaintSelection.class, "model", model(), "prompt", "a window", "sampler", "DDIM",
                "steps", 2, "seed", 3L, "width", 64, "height", 64, "source", photo, "grow", 1.0, "feather", 1.0);
        ImagePlus menu = new InpaintSelectionCommand().apply(photo, "model=[" + model() + "] prompt=[a window] "
                + "sampler=DDIM steps=2 seed=3 width=64 height=64 grow=1 feather=1");
        assertArrayEquals((int[]) menu.getProcessor().getPixels(), (int[]) scripted.getProcessor().getPixels());
        assertEquals("selection of wall (grow 1, feather 1)", Provenance.request(scripted).mask());
    }

    /** A two-slice stack with labels and an overlay ROI, so that every method's default data applies. */
    private static ImagePlus cells() {
        ImagePlus cells = ij.IJ.createImage("cells.tif", "8-bit ramp", 64, 64, 2);
        cells.getStack().setSliceLabel("bright cells", 1);
        cells.getStack().setSliceLabel("dark cells", 2);
        return cells;
    }

    /** The twin's request for {@code options} (model and source set), beside the menu command's for the same keys. */
    private static void assertSameRequest(MethodTraining twin, MethodTrainingCommand menu, ImagePlus source,
            String options) {
        twin.model = model();
        twin.source = source;
        twin.options = options;
        TrainingRequest scripted = twin.request();
        TrainingRequest recorded = menu.request(source, "model=[" + model() + "] " + options);
        assertEquals(recorded, scripted, options);
        assertEquals(recorded.toMacroOptions(), scripted.toMacroOptions());
    }

    @Test
    void eachTrainingTwinBuildsTheMenuCommandsRequestFromTheSameKeys() {
        ImagePlus cells = cells();
        assertSameRequest(new TrainLora(), new TrainLoraCommand(), cells, "steps=12 lr=1e-3 rank=8 alpha=4 "
                + "resolution=64 template=[a photo of [filewords]] flip=true");
        assertSameRequest(new TrainTextualInversion(), new TrainTextualInversionCommand(), cells,
                "token=<cell> init_word=cell vectors=2 steps=5");
        assertSameRequest(new TrainDreamBooth(), new TrainDreamBoothCommand(), cells,
                "prior_mode=prediction class_prompt=[a micrograph] train_text_encoder=true steps=3");
        assertSameRequest(new TrainHypernetwork(), new TrainHypernetworkCommand(), cells,
                "layer_structure=1,1.5,1 activation=relu layer_norm=true steps=4");
        // The defaults after the source image: the whole stack, an output named after it.
        TrainingRequest defaults = new TrainLoraCommand().request(cells, "model=[" + model() + "]");
        assertEquals("stack:cells.tif", defaults.data());
        assertEquals("cells-lora.safetensors", defaults.output());
        // model, data and output as parameters of their own are the same keys.
        TrainHypernetwork twin = new TrainHypernetwork();
        twin.model = model();
        twin.data = "stack:cells.tif slices 2-2";
        twin.output = "/tmp/hn.pt";
        twin.options = "steps=4";
        assertEquals(new TrainHypernetworkCommand().request(cells, "model=[" + model()
                + "] data=[stack:cells.tif slices 2-2] output=[/tmp/hn.pt] steps=4"), twin.request());
    }

    @Test
    void aTwinRefusesKeysGivenTwiceAndTheMethodKey() {
        TrainLora twin = new TrainLora();
        twin.model = model();
        twin.options = "model=[other] steps=2";
        DiffijException twice = assertThrows(DiffijException.class, twin::request);
        assertEquals("model is a parameter of its own: give it as model, not in options", twice.getMessage());
        twin.options = "method=ti steps=2";
        DiffijException method = assertThrows(DiffijException.class, twin::request);
        assertTrue(method.getMessage().startsWith("method is given by the command"), method.getMessage());
    }

    @Test
    void aTwinTrainsThroughTheCommandServiceAndGivesTheFileAndTheLossPlot(@TempDir Path dir) throws Exception {
        Path output = dir.resolve("cells-hn.pt");
        CommandModule module = context.service(CommandService.class).run(TrainHypernetwork.class, true,
                "model", model(), "source", cells(), "output", output.toString(),
                "options", "steps=2 lr=1e-3 resolution=64 seed=4").get();
        assertEquals(output.toString(), module.getOutput("trained"));
        assertTrue(Files.isRegularFile(output));
        assertEquals("", module.getOutput("resumeCheckpoint"));
        assertTrue(((ImagePlus) module.getOutput("lossPlot")).getTitle().startsWith("Training loss - cells-hn"));
    }

    private static CommandModule trainLora(ImagePlus source, Path output) throws Exception {
        return context.service(CommandService.class).run(TrainLora.class, true, "model", model(), "source", source,
                "output", output.toString(), "options", "steps=8 lr=1e-3 resolution=64 seed=5 rank=2 alpha=2").get();
    }

    @Test
    void aRunStoppedWithEscAndResumedThroughResumeTrainingEndsWithTheUninterruptedRunsWeights(@TempDir Path dir)
            throws Exception {
        ImagePlus cells = cells();
        Path straight = dir.resolve("straight.safetensors");
        assertEquals(straight.toString(), trainLora(cells, straight).getOutput("trained"));
        Path split = dir.resolve("split.safetensors");
        // Esc once the second step is logged: the run stops after the step it is in.
        CommandModule stopped = EscapeOnLog.pressWhenLogged("step 2/8", () -> {
            try {
                return trainLora(cells, split);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertEquals("", stopped.getOutput("trained"), "Esc stopped the run");
        assertFalse(Files.exists(split));
        Path checkpoint = Path.of((String) stopped.getOutput("resumeCheckpoint"));
        assertTrue(Files.isRegularFile(checkpoint), checkpoint.toString());
        CommandModule resumed = context.service(CommandService.class).run(ResumeTraining.class, true,
                "checkpoint", checkpoint.toString(), "source", cells).get();
        assertEquals(split.toString(), resumed.getOutput("trained"));
        assertEquals("", resumed.getOutput("resumeCheckpoint"));
        ij.gui.Plot plot = (ij.gui.Plot) ((ImagePlus) resumed.getOutput("lossPlot")).getProperty(
                ij.gui.Plot.PROPERTY_KEY);
        assertEquals(8, plot.getDataObjectArrays(0)[0].length, "the resumed run's plot shows all 8 steps");
        assertEquals(1f, plot.getDataObjectArrays(0)[0][0], "from the first, before the checkpoint");
        Map<String, float[]> uninterrupted = SafetensorsValues.of(straight);
        Map<String, float[]> continued = SafetensorsValues.of(split);
        assertFalse(uninterrupted.isEmpty());
        assertEquals(uninterrupted.keySet(), continued.keySet());
        for (String name : uninterrupted.keySet()) {
            assertTrue(Arrays.equals(uninterrupted.get(name), continued.get(name)),
                    name + " equals the uninterrupted run's");
        }
    }
}
