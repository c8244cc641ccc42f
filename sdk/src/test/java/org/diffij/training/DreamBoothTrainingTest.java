package org.diffij.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.TreeSet;
import org.diffij.DiffijException;
import org.diffij.engine.JobHandle;
import org.diffij.image.PngFiles;
import org.diffij.image.RgbImage;
import org.diffij.io.Weights;
import org.diffij.io.WeightSet;
import org.diffij.models.checkpoint.SingleFileCheckpoint;
import org.diffij.parity.Golden;
import org.diffij.pipelines.GenerationRequest;
import org.diffij.pipelines.Generator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DreamBooth through the shared trainer on the tiny models: prior preservation with generated class
 * images or with the frozen model's prediction, a result that loads back as a diffusers folder and as
 * a single-file checkpoint and changes generation, class images made only when missing, and one-line
 * refusals of bad options.
 */
class DreamBoothTrainingTest {

    @TempDir
    static Path dir;
    static Path model;
    static Path data;

    @BeforeAll
    static void images() throws IOException {
        model = Golden.manifest().modelPath("tiny-sd15");
        data = Files.createDirectories(dir.resolve("instances"));
        TrainerTest.colourImages(data, "dog", 2, 3, 0.7f, 0.1f);
    }

    private static TrainingRequest request(Path base, String extra) {
        return TrainingRequest.fromMacroOptions("method=dreambooth model=[" + base + "] data=[" + data + "] "
                + "template=[a photo of sks dog] class_prompt=[a photo of dog] resolution=64 " + extra);
    }

    private static Trainer.Result train(TrainingRequest request) {
        return new Trainer(Generator.byPath(), null, "test").submit(request, null, false, null, null).await();
    }

    private static float[] generate(Generator generator, String modelName) {
        GenerationRequest request = GenerationRequest.of(modelName, "a photo of sks dog").withSize(64, 64, 1)
                .withSampling("Euler", 3, 7).withSeed(5);
        return generator.submit(request, source -> {
            throw new AssertionError(source);
        }, null).await().images().get(0).rgb();
    }

    private static void assertSameTensors(Weights expected, Weights actual, String what) {
        Set<String> names = new TreeSet<>(expected.names());
        names.removeIf(name -> name.endsWith("position_ids"));
        assertEquals(names, new TreeSet<>(actual.names()), what);
        for (String name : names) {
            assertArrayEquals(expected.read(name).toFloatArray(), actual.read(name).toFloatArray(), what + " " + name);
        }
    }

    @Test
    void classImagePriorTrainsAModelThatLoadsBackInBothLayoutsAndChangesGeneration() throws IOException {
        Path classes = dir.resolve("classes");
        Path output = dir.resolve("sks-dog");
        Path prompts = Files.writeString(dir.resolve("prompts.txt"), "a photo of sks dog --w 64 --h 64 --s 2 --d 5\n");
        Trainer.Result result = train(request(model, "class_dir=[" + classes + "] num_class_images=2 steps=3 lr=2e-3 "
                + "formats=diffusers,single_file output=[" + output + "] sample_every=3 sample_prompts=[" + prompts
                + "]"));
        assertTrue(result.finished());
        assertEquals(1, result.samples().size(), "a validation image from the weights being trained");
        assertEquals(List.of(output, dir.resolve("sks-dog.safetensors")), result.outputs());
        assertTrue(result.memoryEstimate().contains("gradient, 2 AdamW moments"), result.memoryEstimate());

        List<Path> generated = ClassImages.images(classes);
        assertEquals(2, generated.size());
        String infotext = PngFiles.readText(generated.get(1)).get("parameters");
        assertTrue(infotext.startsWith("a photo of dog") && infotext.contains("Seed: 1,"), infotext);
        assertEquals("a photo of dog", Files.readString(classes.resolve("class-00001.txt")).strip());

        for (String file : List.of("model_index.json", "scheduler/scheduler_config.json", "tokenizer/vocab.json",
                "unet/config.json", "unet/diffusion_pytorch_model.safetensors", "text_encoder/model.safetensors",
                "vae/diffusion_pytorch_model.safetensors")) {
            assertTrue(Files.isRegularFile(output.resolve(file)), file);
        }
        try (WeightSet trained = WeightSet.openFolder(output.resolve("unet"));
                WeightSet base = WeightSet.openFolder(model.resolve("unet"));
                SingleFileCheckpoint single = SingleFileCheckpoint.open(dir.resolve("sks-dog.safetensors"), model)) {
            assertFalse(Arrays.equals(base.read("conv_in.weight").toFloatArray(),
                    trained.read("conv_in.weight").toFloatArray()), "the UNet was trained");
            assertTrue(trained.metadata().get("diffij.training_request").contains("prior_mode=images"));
            assertSameTensors(trained, single.component("unet"), "single-file unet");
            for (String component : List.of("vae", "text_encoder")) {
                try (WeightSet folder = WeightSet.openFolder(output.resolve(component))) {
                    assertSameTensors(folder, single.component(component), "single-file " + component);
                }
            }
        }

        Generator generator = new Generator(Generator.byPath(), model, "test");
        float[] before = generate(generator, model.toString());
        float[] folder = generate(generator, output.toString());
        float[] single = generate(generator, dir.resolve("sks-dog.safetensors").toString());
        assertFalse(Arrays.equals(before, folder), "the fine-tuned model changes the image");
        assertArrayEquals(folder, single, "both layouts hold the same model");
    }

    @Test
    void classImagesAreGeneratedOnlyWhenMissing() throws IOException {
        Path classes = Files.createDirectories(dir.resolve("cached-classes"));
        PngFiles.write(classes.resolve("mine.png"), new RgbImage(64, 64, new float[64 * 64 * 3]), Map.of());
        byte[] mine = Files.readAllBytes(classes.resolve("mine.png"));
        Generator generator = new Generator(Generator.byPath(), null, "test");
        List<String> progress = new ArrayList<>();
        ClassImages.Settings three = new ClassImages.Settings(model.toString(), "a photo of dog", 3, 64, 64, 40,
                "Euler", 2, 7);
        List<Path> images = ClassImages.ensure(classes, three, generator, (done, total, line) -> progress.add(line));
        assertEquals(List.of(classes.resolve("class-00000.png"), classes.resolve("class-00001.png"),
                classes.resolve("mine.png")), images);
        assertTrue(progress.stream().anyMatch(line -> line.startsWith("class image 2/2")), progress.toString());
        Map<Path, byte[]> first = new LinkedHashMap<>();
        for (Path image : images) {
            first.put(image, Files.readAllBytes(image));
        }

        progress.clear();
        assertEquals(images, ClassImages.ensure(classes, three, generator, (done, total, line) -> progress.add(line)));
        assertEquals(List.of(), progress, "nothing is generated when enough images exist");
        ClassImages.Settings four = new ClassImages.Settings(model.toString(), "a photo of dog", 4, 64, 64, 40,
                "Euler", 2, 7);
        List<Path> more = ClassImages.ensure(classes, four, generator, null);
        assertEquals(4, more.size());
        assertTrue(PngFiles.readText(classes.resolve("class-00002.png")).get("parameters").contains("Seed: 42,"));
        for (Map.Entry<Path, byte[]> e : first.entrySet()) {
            assertArrayEquals(e.getValue(), Files.readAllBytes(e.getKey()), "existing images are never touched");
        }
        assertArrayEquals(mine, Files.readAllBytes(classes.resolve("mine.png")));
    }

    @Test
    void priorPredictionNeedsNoClassImagesAndSdxlTrainsBothTextEncoders() {
        Path xl = Golden.manifest().modelPath("tiny-sdxl");
        Path output = dir.resolve("xl-dog");
        Trainer.Result result = train(request(xl, "prior_mode=prediction train_text_encoder=true steps=2 lr=1e-3 "
                + "formats=diffusers,single_file output=[" + output + "]"));
        assertTrue(result.finished());
        try (WeightSet te2 = WeightSet.openFolder(output.resolve("text_encoder_2"));
                WeightSet base = WeightSet.openFolder(xl.resolve("text_encoder_2"));
                SingleFileCheckpoint single = SingleFileCheckpoint.open(dir.resolve("xl-dog.safetensors"), xl)) {
            String name = "text_model.encoder.layers.0.self_attn.q_proj.weight";
            assertFalse(Arrays.equals(base.read(name).toFloatArray(), te2.read(name).toFloatArray()),
                    "the second text encoder was trained");
            assertSameTensors(te2, single.component("text_encoder_2"), "single-file text_encoder_2");
        }
        float[] before = generate(new Generator(Generator.byPath(), null, "test"), xl.toString());
        assertFalse(Arrays.equals(before, generate(new Generator(Generator.byPath(), null, "test"),
                output.toString())), "the fine-tuned SDXL model changes the image");
    }

    @Test
    void aCancelledRunResumesFromItsCheckpointWithTheWholeUNet() {
        Path output = dir.resolve("resumed.safetensors");
        TrainingRequest request = request(model, "prior_mode=prediction steps=3 lr=1e-3 formats=single_file output=["
                + output + "]");
        AtomicReference<JobHandle<Trainer.Result>> handle = new AtomicReference<>();
        handle.set(new Trainer(Generator.byPath(), null, "test").submit(request, null, false, null, progress -> {
            if (progress.step() == 1) {
                handle.get().cancel();
            }
        }));
        Trainer.Result first = handle.get().await();
        assertFalse(first.finished());
        assertFalse(Files.exists(output), "a cancelled run writes only its checkpoint");
        try (WeightSet unet = WeightSet.openFolder(model.resolve("unet"))) {
            assertEquals(new TreeSet<>(unet.names().stream().map(n -> "unet." + n).toList()),
                    TrainingCheckpoint.trainedNames(first.checkpoint()),
                    "the checkpoint holds every trained UNet weight");
        }
        List<Long> steps = new ArrayList<>();
        Trainer.Result second = new Trainer(Generator.byPath(), null, "test").submit(request, first.checkpoint(), false,
                null, progress -> steps.add(progress.step())).await();
        assertTrue(second.finished());
        assertEquals(List.of(2L, 3L), steps);
        assertTrue(Files.isRegularFile(output));
    }

    @Test
    void aResumeIsRefusedWhenTheClassImagesChanged() throws IOException {
        Path classes = Files.createDirectories(dir.resolve("changing-classes"));
        TrainerTest.colourImages(classes, "dog-class", 2, 9, 0.5f, 0.3f);
        Path output = dir.resolve("class-resume.safetensors");
        TrainingRequest request = request(model, "class_dir=[" + classes + "] num_class_images=2 steps=3 lr=1e-3 "
                + "formats=single_file output=[" + output + "]");
        AtomicReference<JobHandle<Trainer.Result>> handle = new AtomicReference<>();
        handle.set(new Trainer(Generator.byPath(), null, "test").submit(request, null, false, null, progress -> {
            if (progress.step() == 1) {
                handle.get().cancel();
            }
        }));
        Path checkpoint = handle.get().await().checkpoint();
        Files.move(classes.resolve("dog-class1.png"), classes.resolve("other-dog.png"));
        DiffijException refused = assertThrows(DiffijException.class, () -> new Trainer(Generator.byPath(), null,
                "test").submit(request, checkpoint, false, null, null));
        assertTrue(refused.getMessage().contains("training data changed"), refused.getMessage());
    }

    @Test
    void badDreamBoothOptionsGetOneLineMessages() throws IOException {
        String base = "method=dreambooth model=m data=d class_prompt=[a dog] class_dir=c ";
        String[][] cases = {
            {base + "prior_mode=maybe", "prior_mode must be images, prediction or off"},
            {base + "num_class_images=0", "num_class_images must be 1..100000"},
            {base + "prior_loss_weight=-1", "prior_loss_weight must be a number in (0, 1000]"},
            {"method=dreambooth model=m data=d class_dir=c", "needs a class_prompt"},
            {"method=dreambooth model=m data=d class_prompt=[a dog]", "needs a class_dir"},
            {base + "bucketing=true", "use bucketing=false"},
            {base + "formats=kohya", "format 'kohya' is not one for dreambooth"},
            {base + "rank=4", "unknown option 'rank' for method dreambooth"},
        };
        for (String[] c : cases) {
            DiffijException e = assertThrows(DiffijException.class, () -> TrainingRequest.fromMacroOptions(c[0]), c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
        Files.writeString(dir.resolve("taken.safetensors"), "precious");
        DiffijException taken = assertThrows(DiffijException.class, () -> new Trainer(Generator.byPath(), null, "test")
                .submit(request(model, "prior_mode=off steps=1 formats=diffusers,single_file output=["
                        + dir.resolve("taken") + "]"), null, false, null, null));
        assertTrue(taken.getMessage().contains("taken.safetensors already exists"), taken.getMessage());
        assertEquals("precious", Files.readString(dir.resolve("taken.safetensors")));
    }
}
