package org.diffij.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import ij.ImagePlus;
import ij.Prefs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.diffij.DiffijVersion;
import org.diffij.image.ImageFiles;
import org.diffij.io.ModelHash;
import org.diffij.io.SafetensorsFile;
import org.diffij.pipelines.GenerationRequest;
import org.diffij.pipelines.GenerationResult;
import org.diffij.pipelines.Generator;
import org.diffij.pipelines.Infotext;
import org.diffij.training.TrainingImages;
import org.diffij.training.TrainingRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training macros of {@code macros/}, headless through ImageJ's macro interpreter on tiny SD 1.5. */
class TrainingMacrosTest {

    @TempDir
    Path models;

    @BeforeEach
    void settings() {
        Prefs.set("diffij.last.model", HeadlessImageJ.model("tiny-sd15"));
        Prefs.set(DiffusionSettings.PREFIX + "models", models.toString());
    }

    @Test
    void loraFromTheStackLandsInTheModelFolderWithProvenanceAndChangesGeneration() {
        HeadlessImageJ.MacroRun run = HeadlessImageJ.runMacro("train_lora_stack.ijm", null);
        Path lora = models.resolve("cells-lora.safetensors");
        assertTrue(Files.isRegularFile(lora), run.log());
        assertTrue(run.log().contains("2 samples"), run.log());
        assertTrue(run.log().contains("a micrograph of cells, bright | a micrograph of cells, dark"), run.log());
        assertTrue(run.log().contains("adapters=[lora|cells-lora|1]"), run.log());
        try (SafetensorsFile file = SafetensorsFile.open(lora)) {
            Map<String, String> metadata = file.metadata();
            assertTrue(metadata.get("diffij.training_request").contains(" data=stack:cells "),
                    metadata.get("diffij.training_request"));
            assertTrue(metadata.containsKey("diffij.model_hash") && metadata.containsKey("ss_network_dim"));
            assertTrue(metadata.get("diffij.samples").contains("\"caption\":\"a micrograph of cells, dark\""),
                    metadata.get("diffij.samples"));
        }
        ImagePlus plot = run.image();
        assertNotNull(plot, run.log());
        assertTrue(plot.getTitle().startsWith("Training loss - cells-lora"), plot.getTitle());
        Operations operations = new Operations(DiffusionSettings.load());
        GenerationRequest plain = GenerationRequest.fromMacroOptions("model=[" + HeadlessImageJ.model("tiny-sd15")
                + "] prompt=[a micrograph of cells] steps=3 seed=1 width=64 height=64");
        int[] without = (int[]) operations.generate("t", plain, null).getProcessor().getPixels();
        int[] with = (int[]) operations.generate("t", plain.withAdapters(RequestFields.adapters("lora|cells-lora|1")),
                null).getProcessor().getPixels();
        assertFalse(Arrays.equals(without, with), "generation with the trained LoRA differs");
    }

    @Test
    void escStopsWithACheckpointAndResumeTrainingEqualsTheUninterruptedRun() throws Exception {
        ImagePlus cells = ij.IJ.createImage("cells", "8-bit ramp", 64, 64, 2);
        cells.getStack().setSliceLabel("bright cells", 1);
        cells.getStack().setSliceLabel("dark cells", 2);
        String options = "model=[" + HeadlessImageJ.model("tiny-sd15") + "] data=[stack:cells] steps=8 lr=1e-3 "
                + "resolution=64 seed=5 rank=2 alpha=2 output=[";
        HeadlessImageJ.registerCommands();
        HeadlessImageJ.withOpen(() -> new TrainLoraCommand().apply(cells, options + "straight.safetensors]"), cells);
        // Esc once the second step is logged: the run stops after the step it is in.
        TrainingOperations.Outcome stopped = EscapeOnLog.pressWhenLogged("step 2/8", () -> HeadlessImageJ.withOpen(
                () -> new TrainLoraCommand().apply(cells, options + "split.safetensors]"), cells));
        assertFalse(stopped.result().finished(), "Esc stopped the run");
        assertTrue(stopped.result().steps() < 8);
        assertFalse(Files.exists(models.resolve("split.safetensors")));
        Path checkpoint = stopped.result().checkpoint();
        assertTrue(Files.isRegularFile(checkpoint));
        HeadlessImageJ.withOpen(() -> {
            new ij.macro.Interpreter().run(HeadlessImageJ.macro("resume_training.ijm"), checkpoint.toString());
            return null;
        }, cells);
        assertTrue(Files.isRegularFile(models.resolve("split.safetensors")), "Resume Training... wrote the output");
        Map<String, float[]> a = SafetensorsValues.of(models.resolve("straight.safetensors"));
        Map<String, float[]> b = SafetensorsValues.of(models.resolve("split.safetensors"));
        assertTrue(a.keySet().equals(b.keySet()) && !a.isEmpty());
        for (String name : a.keySet()) {
            assertTrue(Arrays.equals(a.get(name), b.get(name)), name + " equals the uninterrupted run's");
        }
    }

    @Test
    void anEmbeddingTrainedFromRoiCropsRecordsEachCropAndIsCalledByItsName() throws Exception {
        String model = HeadlessImageJ.model("tiny-sd15");
        HeadlessImageJ.MacroRun run = HeadlessImageJ.runMacro("train_ti_rois.ijm", null);
        Path embedding = models.resolve("my-ring.safetensors");
        assertTrue(Files.isRegularFile(embedding), run.log());
        Map<String, String> metadata;
        try (SafetensorsFile file = SafetensorsFile.open(embedding)) {
            metadata = file.metadata();
        }
        JsonArray samples = JsonParser.parseString(metadata.get("diffij.samples")).getAsJsonArray();
        assertEquals(2, samples.size());
        assertEquals("a photo of <my-ring>, right", samples.get(1).getAsJsonObject().get("caption").getAsString());
        assertTrue(samples.get(1).getAsJsonObject().get("geometry").getAsString().contains("64"),
                samples.get(1).toString());

        GenerationRequest plain = GenerationRequest.of(model, "a photo of circle").withSampling("Euler", 3, 7)
                .withSeed(5).withSize(64, 64, 1);
        Generator generator = new Generator(Generator.inFolders(List.of(models)), null, "test")
                .withEmbeddingFolders(List.of(models));
        GenerationResult without = generator.submit(plain, source -> null, null).await();
        GenerationResult with = generator.submit(plain.withPrompt("a photo of my-ring"), source -> null, null).await();
        assertFalse(Arrays.equals(without.images().get(0).rgb(), with.images().get(0).rgb()));
        assertTrue(with.notes().stream().anyMatch(n -> n.contains("my-ring")), with.notes().toString());
        // Recorded as A1111 records an embedding: the first 12 hex digits of the file's SHA-256, by its name.
        String shortHash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(
                Files.readAllBytes(embedding))).substring(0, 12);
        assertTrue(with.parameters(0).contains("TI hashes: \"my-ring: " + shortHash + "\""), with.parameters(0));
        assertEquals(Map.of("my-ring", shortHash), Infotext.parse(with.parameters(0)).embeddingHashes());
        assertEquals(Map.of(), without.request().embeddingHashes());
    }

    /** Two 8-bit slices that differ (a ramp and its inverse), labelled as the captions to train on. */
    private static ImagePlus labelledCells() {
        ImagePlus cells = ij.IJ.createImage("cells", "8-bit ramp", 64, 64, 2);
        cells.getStack().getProcessor(2).invert();
        cells.getStack().setSliceLabel("a micrograph of sks cells, bright", 1);
        cells.getStack().setSliceLabel("a micrograph of sks cells, dark", 2);
        return cells;
    }

    /** A slice's 8-bit gray values as the RGB pixels a display range of 0..255 shows. */
    private static String grayPixelHash(ImagePlus image, int slice) {
        byte[] gray = (byte[]) image.getStack().getPixels(slice);
        int[] rgb = new int[gray.length];
        for (int i = 0; i < gray.length; i++) {
            int v = gray[i] & 0xff;
            rgb[i] = v << 16 | v << 8 | v;
        }
        return TrainingImages.pixelHash(new ImageFiles.Page(image.getWidth(), image.getHeight(), rgb));
    }

    /** The request, base model, version and every slice (caption, pixel hash) recorded in a trained file. */
    private static void assertStackProvenance(Map<String, String> metadata, TrainingRequest.Method method,
            ImagePlus source, String model) {
        TrainingRequest request = TrainingRequest.fromMacroOptions(metadata.get("diffij.training_request"));
        assertEquals(method, request.method());
        assertEquals("stack:" + source.getTitle(), request.data());
        assertEquals(model, request.model());
        assertEquals(2, request.steps());
        assertEquals(ModelHash.of(Path.of(model)), metadata.get("diffij.model_hash"));
        assertEquals(DiffijVersion.label(), metadata.get("diffij.version"));
        JsonArray samples = JsonParser.parseString(metadata.get("diffij.samples")).getAsJsonArray();
        assertEquals(source.getStackSize(), samples.size());
        for (int slice = 1; slice <= source.getStackSize(); slice++) {
            com.google.gson.JsonObject sample = samples.get(slice - 1).getAsJsonObject();
            assertEquals(source.getStack().getSliceLabel(slice), sample.get("caption").getAsString());
            assertEquals(grayPixelHash(source, slice), sample.get("sha256").getAsString(), "slice " + slice);
            assertTrue(sample.get("geometry").getAsString().startsWith("slice " + slice + " of 2"), sample.toString());
        }
    }

    private static int[] generated(String model, String prompt) {
        GenerationRequest request = GenerationRequest.fromMacroOptions("model=[" + model + "] prompt=[" + prompt
                + "] steps=3 seed=1 width=64 height=64");
        return (int[]) new Operations(DiffusionSettings.load()).generate("t", request, null).getProcessor().getPixels();
    }

    @Test
    void dreamBoothFromTheStackIsAModelFolderWithProvenanceThatGeneratesDifferently() {
        String model = HeadlessImageJ.model("tiny-sd15");
        ImagePlus cells = labelledCells();
        HeadlessImageJ.MacroRun run = HeadlessImageJ.runMacro("train_dreambooth.ijm", cells);
        Path folder = models.resolve("cells-dreambooth");
        Path unet = folder.resolve("unet/diffusion_pytorch_model.safetensors");
        assertTrue(Files.isRegularFile(unet), run.log());
        assertTrue(Files.isRegularFile(folder.resolve("model_index.json")), "a whole diffusers folder");
        assertTrue(run.log().contains("generate with model=[cells-dreambooth]"), run.log());
        try (SafetensorsFile file = SafetensorsFile.open(unet)) {
            assertStackProvenance(file.metadata(), TrainingRequest.Method.DREAMBOOTH, cells, model);
        }
        assertFalse(Arrays.equals(generated(model, "a micrograph of sks cells"),
                generated("cells-dreambooth", "a micrograph of sks cells")),
                "the fine-tuned model generates differently");
    }

    @Test
    void aHypernetworkFromTheStackIsWrittenForA1111WithItsProvenanceTwinAndChangesGeneration() {
        String model = HeadlessImageJ.model("tiny-sd15");
        ImagePlus cells = labelledCells();
        HeadlessImageJ.MacroRun run = HeadlessImageJ.runMacro("train_hypernetwork.ijm", cells);
        assertTrue(Files.isRegularFile(models.resolve("cells-hypernetwork.pt")), run.log());
        assertTrue(run.log().contains("adapters=[hypernet|cells-hypernetwork|1]"), run.log());
        try (SafetensorsFile file = SafetensorsFile.open(models.resolve("cells-hypernetwork.safetensors"))) {
            assertStackProvenance(file.metadata(), TrainingRequest.Method.HYPERNETWORK, cells, model);
        }
        assertFalse(Arrays.equals(generated(model, "a micrograph of cells"),
                generated(model, "a micrograph of cells <hypernet:cells-hypernetwork:1>")),
                "the hypernetwork, called by its name, changes generation");
    }
}
