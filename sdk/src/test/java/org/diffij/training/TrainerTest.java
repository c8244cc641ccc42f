package org.diffij.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.diffij.DiffijException;
import org.diffij.engine.JobHandle;
import org.diffij.image.PngFiles;
import org.diffij.image.RgbImage;
import org.diffij.io.HostTensor;
import org.diffij.io.SafetensorsFile;
import org.diffij.parity.Golden;
import org.diffij.pipelines.Adapter;
import org.diffij.pipelines.GenerationRequest;
import org.diffij.pipelines.Generator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared training loop on tiny-sd15: resume exactness, refusals, outputs that load back and act. */
class TrainerTest {

    @TempDir
    static Path dir;
    static Path model;
    static Path data;

    @BeforeAll
    static void images() throws IOException {
        model = Golden.manifest().modelPath("tiny-sd15");
        data = Files.createDirectories(dir.resolve("data"));
        colourImages(data, "image", 3, 7, 0.6f, 0.2f);
        for (int i = 0; i < 3; i++) {
            Files.writeString(data.resolve("image" + i + ".txt"), "a photo of sks, colour " + i);
        }
    }

    /**
     * Writes {@code count} noisy 64×64 PNGs {@code <prefix>N.png} into {@code folder}, image N bright
     * ({@code on}) in channel N mod 3 and dark ({@code off}) in the others, seeded.
     */
    static void colourImages(Path folder, String prefix, int count, long seed, float on, float off) throws IOException {
        Random random = new Random(seed);
        for (int i = 0; i < count; i++) {
            float[] rgb = new float[64 * 64 * 3];
            for (int p = 0; p < rgb.length; p++) {
                rgb[p] = (p % 3 == i % 3 ? on : off) + 0.2f * random.nextFloat();
            }
            PngFiles.write(folder.resolve(prefix + i + ".png"), new RgbImage(64, 64, rgb), Map.of());
        }
    }

    static Trainer trainer() {
        return new Trainer(Generator.byPath(), null, "test");
    }

    static TrainingRequest request(String extra, Path output) {
        return TrainingRequest.fromMacroOptions("method=lora model=[" + model + "] data=[" + data + "] output=["
                + output + "] formats=diffusers resolution=64 " + extra);
    }

    static Map<String, HostTensor> tensors(Path file) {
        try (SafetensorsFile in = SafetensorsFile.open(file)) {
            Map<String, HostTensor> out = new java.util.LinkedHashMap<>();
            for (String name : in.names()) {
                HostTensor t = in.read(name);
                out.put(name, HostTensor.ofFloats(t.toFloatArray(), t.shape()));
            }
            return out;
        }
    }

    /** Trains; cancels after {@code stopAfter} steps when it is positive. */
    static Trainer.Result run(TrainingRequest request, Path resume, int stopAfter, List<Trainer.Progress> seen) {
        AtomicReference<JobHandle<Trainer.Result>> handle = new AtomicReference<>();
        JobHandle<Trainer.Result> submitted = trainer().submit(request, resume, false, null, progress -> {
            seen.add(progress);
            if (progress.step() == stopAfter) {
                handle.get().cancel();
            }
        });
        handle.set(submitted);
        return submitted.await();
    }

    @Test
    void resumedRunEqualsUninterruptedBitForBit() {
        String options = "steps=6 lr=1e-3 train_text_encoder=true flip=true min_snr_gamma=5 noise_offset=0.05 "
                + "max_grad_norm=1 lr_schedule=cosine warmup_steps=2 seed=11";
        Path straight = dir.resolve("straight.safetensors");
        List<Trainer.Progress> progress = new ArrayList<>();
        Trainer.Result whole = run(request(options, straight), null, -1, progress);
        assertTrue(whole.finished());
        assertEquals(6, progress.size());
        assertTrue(progress.stream().allMatch(p -> Double.isFinite(p.loss()) && p.secondsPerStep() > 0));

        Path split = dir.resolve("split.safetensors");
        Trainer.Result first = run(request(options, split), null, 3, new ArrayList<>());
        assertFalse(first.finished());
        assertEquals(3, first.steps());
        assertFalse(Files.exists(split), "a cancelled run writes no output, only its checkpoint");
        assertEquals(Trainer.checkpointPath(split), first.checkpoint());
        List<Trainer.Progress> resumed = new ArrayList<>();
        Trainer.Result second = run(request(options, split), first.checkpoint(), -1, resumed);
        assertTrue(second.finished());
        assertEquals(4, resumed.get(0).step());

        Map<String, HostTensor> a = tensors(straight);
        Map<String, HostTensor> b = tensors(split);
        assertEquals(a.keySet(), b.keySet());
        assertTrue(a.keySet().stream().anyMatch(k -> k.startsWith("text_encoder.")));
        for (String name : a.keySet()) {
            assertArrayEquals(a.get(name).toFloatArray(), b.get(name).toFloatArray(), 0f, name);
        }
        assertEquals(progress.get(5).loss(), resumed.get(2).loss(), 0, "the last step's loss");
        for (int i = 0; i < 3; i++) {
            assertEquals(progress.get(3 + i).meanLoss(), resumed.get(i).meanLoss(), 0,
                    "the running mean goes on from the checkpoint's losses at step " + (4 + i));
        }
        assertEquals(whole.meanLoss(), second.meanLoss(), 0);
        List<Trainer.Progress> history = Trainer.history(TrainingCheckpoint.read(first.checkpoint()));
        assertEquals(List.of(1L, 2L, 3L), history.stream().map(Trainer.Progress::step).toList());
        for (int i = 0; i < 3; i++) {
            assertEquals(progress.get(i).loss(), history.get(i).loss(), 0, "step " + (i + 1) + " as it was");
            assertEquals(progress.get(i).meanLoss(), history.get(i).meanLoss(), 0);
        }
    }

    @Test
    void resumeWithAnotherRequestIsRefusedNamingTheKeys() {
        Path output = dir.resolve("refused.safetensors");
        Trainer.Result first = run(request("steps=4 seed=3", output), null, 1, new ArrayList<>());
        DiffijException refused = assertThrows(DiffijException.class, () -> trainer().submit(
                request("steps=4 seed=3 lr=5e-4 rank=8", output), first.checkpoint(), false, null, null));
        assertTrue(refused.getMessage().contains("lr=") && refused.getMessage().contains("rank="),
                refused.getMessage());
    }

    @Test
    void anExistingOutputIsNeverReplacedUnlessAsked() throws IOException {
        Path output = Files.writeString(dir.resolve("taken.safetensors"), "precious");
        DiffijException refused = assertThrows(DiffijException.class,
                () -> trainer().submit(request("steps=1", output), null, false, null, null));
        assertTrue(refused.getMessage().contains("already exists"), refused.getMessage());
        assertEquals("precious", Files.readString(output));
        trainer().submit(request("steps=1", output), null, true, null, null).await();
        assertNotEquals("precious", Files.readString(output, java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    @Test
    void aTrainedLoraChangesGenerationAndSamplesAreWritten() throws IOException {
        Path prompts = Files.writeString(dir.resolve("prompts.txt"), "a photo of sks --w 64 --h 64 --s 3 --d 5\n");
        Path output = dir.resolve("acting.safetensors");
        Trainer.Result result = run(request("steps=4 lr=5e-2 sample_every=2 sample_prompts=[" + prompts + "]", output),
                null, -1, new ArrayList<>());
        assertEquals(List.of(output), result.outputs());
        assertEquals(2, result.samples().size(), "samples at step 2 and at the end");
        assertTrue(Files.exists(dir.resolve("acting-step00000002.safetensors")), "the adapter sampled at step 2");
        String infotext = PngFiles.readText(result.samples().get(0)).get("parameters");
        assertTrue(infotext.startsWith("a photo of sks"), infotext);

        GenerationRequest plain = GenerationRequest.of(model.toString(), "a photo of sks").withSize(64, 64, 1)
                .withSampling("Euler", 3, 7).withSeed(5);
        float[] without = generate(plain);
        float[] with = generate(plain.withAdapters(List.of(new Adapter(Adapter.Kind.LORA, output.toString(), 1))));
        assertFalse(java.util.Arrays.equals(without, with), "the trained LoRA changes the image");
        try (SafetensorsFile in = SafetensorsFile.open(output)) {
            assertTrue(in.metadata().get("diffij.training_request").contains("lr=0.05"));
        }
    }

    @Test
    void aLoconRunTrainsTheThreeByThreeConvolutions() {
        Path output = dir.resolve("locon.safetensors");
        run(request("steps=2 lr=5e-2 conv_rank=2 conv_alpha=1", output), null, -1, new ArrayList<>());
        Map<String, HostTensor> trained = tensors(output);
        HostTensor up = trained.get("unet.down_blocks.0.resnets.0.conv1.lora_B.weight");
        assertArrayEquals(new long[] {2, trained.get("unet.down_blocks.0.resnets.0.conv1.lora_A.weight").shape()[1], 3, 3},
                trained.get("unet.down_blocks.0.resnets.0.conv1.lora_A.weight").shape());
        float largest = 0;
        for (float v : up.toFloatArray()) {
            largest = Math.max(largest, Math.abs(v));
        }
        assertTrue(largest > 0, "the LoCon up of a 3x3 convolution moved from zero");
        assertTrue(trained.containsKey("unet.down_blocks.0.resnets.0.time_emb_proj.lora_A.weight"));
    }

    @Test
    void aCheckpointedRunFollowsThePlainRun() {
        String options = "steps=3 lr=1e-3 train_text_encoder=true conv_rank=2 conv_alpha=1 seed=9 ";
        List<Trainer.Progress> plain = new ArrayList<>();
        List<Trainer.Progress> checkpointed = new ArrayList<>();
        Path plainFile = dir.resolve("plain.safetensors");
        Path checkpointedFile = dir.resolve("checkpointed.safetensors");
        Trainer.Result plainRun = run(request(options + "gradient_checkpointing=off", plainFile), null, -1, plain);
        Trainer.Result checkpointedRun = run(request(options + "gradient_checkpointing=on", checkpointedFile), null,
                -1, checkpointed);
        assertFalse(plainRun.memoryEstimate().contains("gradient checkpointing"), plainRun.memoryEstimate());
        assertTrue(checkpointedRun.memoryEstimate().contains("with gradient checkpointing"),
                checkpointedRun.memoryEstimate());
        assertEquals(3, checkpointed.size());
        for (int i = 0; i < plain.size(); i++) {
            assertEquals(plain.get(i).loss(), checkpointed.get(i).loss(), 1e-5 * plain.get(i).loss(), "loss " + i);
            assertEquals(plain.get(i).gradientNorm(), checkpointed.get(i).gradientNorm(),
                    1e-4 * plain.get(i).gradientNorm(), "gradient norm " + i);
        }
        Map<String, HostTensor> a = tensors(plainFile);
        Map<String, HostTensor> b = tensors(checkpointedFile);
        assertEquals(a.keySet(), b.keySet());
        float worst = 0;
        for (String name : a.keySet()) {
            float[] x = a.get(name).toFloatArray();
            float[] y = b.get(name).toFloatArray();
            for (int i = 0; i < x.length; i++) {
                worst = Math.max(worst, Math.abs(x[i] - y[i]));
            }
        }
        System.out.println("checkpointed vs plain adapters: largest difference " + worst);
        assertTrue(worst < 1e-5, "the adapters of the two runs differ by up to " + worst);
    }

    @Test
    void aTrainedEmbeddingIsFoundByItsFileNameInAPrompt() {
        Path output = dir.resolve("skstoken.safetensors");
        TrainingRequest request = TrainingRequest.fromMacroOptions("method=ti model=[" + model + "] data=[" + data
                + "] output=[" + output + "] resolution=64 steps=3 lr=5e-2 token=<sks> init_word=cat vectors=2 "
                + "template=[a photo of [name]]");
        Trainer.Result result = trainer().submit(request, null, false, null, null).await();
        assertTrue(result.finished());
        GenerationRequest plain = GenerationRequest.of(model.toString(), "a photo of skstoken").withSize(64, 64, 1)
                .withSampling("Euler", 3, 7).withSeed(5);
        float[] without = generate(plain);
        float[] with = generate(plain.withAdapters(List.of(new Adapter(Adapter.Kind.EMBEDDING, output.toString(),
                1))));
        assertFalse(java.util.Arrays.equals(without, with), "the trained embedding changes the image");
    }

    @Test
    void sdxlTrainsWithBothTextEncoders() {
        Path xl = Golden.manifest().modelPath("tiny-sdxl");
        Path lora = dir.resolve("xl-lora.safetensors");
        trainer().submit(TrainingRequest.fromMacroOptions("method=lora model=[" + xl + "] data=[" + data + "] output=["
                + lora + "] formats=diffusers resolution=64 steps=2 lr=5e-2 train_text_encoder=true"), null, false,
                null, null).await();
        Map<String, HostTensor> trained = tensors(lora);
        for (String component : List.of("unet.", "text_encoder.", "text_encoder_2.")) {
            assertTrue(trained.keySet().stream().anyMatch(k -> k.startsWith(component)), component);
        }
        Path embedding = dir.resolve("xltoken.safetensors");
        trainer().submit(TrainingRequest.fromMacroOptions("method=ti model=[" + xl + "] data=[" + data + "] output=["
                + embedding + "] resolution=64 steps=2 lr=5e-2 token=<xl> init_word=cat template=[a photo of [name]]"),
                null, false, null, null).await();
        assertEquals(java.util.Set.of("clip_l", "clip_g"), tensors(embedding).keySet());
        GenerationRequest plain = GenerationRequest.of(xl.toString(), "a photo of xltoken").withSize(64, 64, 1)
                .withSampling("Euler", 3, 7).withSeed(5);
        float[] without = generate(plain);
        assertFalse(java.util.Arrays.equals(without, generate(plain.withAdapters(List.of(new Adapter(
                Adapter.Kind.LORA, lora.toString(), 1))))), "the SDXL LoRA changes the image");
        assertFalse(java.util.Arrays.equals(without, generate(plain.withAdapters(List.of(new Adapter(
                Adapter.Kind.EMBEDDING, embedding.toString(), 1))))), "the SDXL embedding changes the image");
    }

    @Test
    void textualInversionCaptionsMustCarryTheToken() {
        TrainingRequest request = TrainingRequest.fromMacroOptions("method=ti model=[" + model + "] data=[" + data
                + "] output=[" + dir.resolve("no-token.safetensors") + "] resolution=64 steps=1 token=<zz> "
                + "init_word=cat");
        Exception failed = assertThrows(Exception.class, () -> trainer().submit(request, null, false, null, null)
                .await());
        assertTrue(failed.getMessage().contains("does not contain the token <zz>"), failed.getMessage());
    }

    private static float[] generate(GenerationRequest request) {
        return new Generator(Generator.byPath(), null, "test").submit(request, source -> {
            throw new AssertionError(source);
        }, null).await().images().get(0).rgb();
    }
}
