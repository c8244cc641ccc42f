package org.diffij.plugin.scijava;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.gui.OvalRoi;
import ij.process.ColorProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.diffij.engine.DiffijEngine;
import org.diffij.pipelines.GenerationRequest;
import org.diffij.plugin.DiffusionSettings;
import org.diffij.plugin.GenerateCommand;
import org.diffij.plugin.InpaintSelectionCommand;
import org.diffij.plugin.Provenance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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
                GenerateWithControlNet.class, RerunFromImage.class)) {
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
}
