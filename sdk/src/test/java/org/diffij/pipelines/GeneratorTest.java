package org.diffij.pipelines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.diffij.DiffijException;
import org.diffij.engine.DiffijEngine;
import org.diffij.engine.JobCancelledException;
import org.diffij.engine.JobHandle;
import org.diffij.image.RgbImage;
import org.diffij.parity.Golden;
import org.diffij.schedulers.Samplers;
import org.junit.jupiter.api.Test;

class GeneratorTest {

    private static final ImageSources NO_IMAGES = source -> {
        throw new DiffijException("no image " + source);
    };

    private static GenerationRequest tiny(String sampler) {
        Path model = Golden.manifest().modelPath("tiny-sd15");
        return GenerationRequest.of(model.toString(), "a photo of a cat").withNegativePrompt("blurry")
                .withSampling(sampler, 3, 7).withSeed(42).withSize(64, 64, 1);
    }

    private static GenerationResult run(GenerationRequest request, ImageSources sources) {
        return new Generator(Generator.byPath(), null, "test").submit(request, sources, null).await();
    }

    @Test
    void theSameSeedGivesBitIdenticalImagesAndAnotherSeedDoesNot() {
        GenerationResult first = run(tiny("Euler a"), NO_IMAGES);
        GenerationResult second = run(tiny("Euler a"), NO_IMAGES);
        GenerationResult other = run(tiny("Euler a").withSeed(43), NO_IMAGES);
        assertArrayEquals(first.images().get(0).rgb(), second.images().get(0).rgb());
        assertFalse(java.util.Arrays.equals(first.images().get(0).rgb(), other.images().get(0).rgb()));
        assertEquals(64, first.images().get(0).width());
    }

    @Test
    void a1111NoiseGivesEachImageOfABatchTheSeedPlusItsIndex() {
        GenerationRequest batch = tiny("Euler a").withSize(64, 64, 2).withClipSkip(1, "gpu");
        float[] batchDraw = Generator.noise(batch).randn(2, 4, 8, 8);
        float[] seed42 = Generator.noise(tiny("Euler a").withClipSkip(1, "gpu")).randn(1, 4, 8, 8);
        float[] seed43 = Generator.noise(tiny("Euler a").withSeed(43).withClipSkip(1, "gpu")).randn(1, 4, 8, 8);
        assertArrayEquals(seed42, java.util.Arrays.copyOfRange(batchDraw, 0, 256));
        assertArrayEquals(seed43, java.util.Arrays.copyOfRange(batchDraw, 256, 512));
        GenerationResult both = run(batch, NO_IMAGES);
        GenerationResult second = run(tiny("Euler a").withSeed(43).withClipSkip(1, "gpu"), NO_IMAGES);
        // Same noise; only the float rounding of batched versus single convolutions differs.
        float[] a = second.images().get(0).rgb();
        float[] b = both.images().get(1).rgb();
        for (int i = 0; i < a.length; i++) {
            assertTrue(Math.abs(a[i] - b[i]) < 1e-4, "pixel value " + i + ": " + a[i] + " vs " + b[i]);
        }
    }

    @Test
    void eachImageOfABatchRecordsWhatReproducesExactlyThatImage() {
        for (String noise : List.of("cpu", "gpu")) {
            GenerationResult batch = run(tiny("Euler a").withSize(64, 64, 3).withClipSkip(1, noise), NO_IMAGES);
            for (int i = 0; i < 3; i++) {
                GenerationRequest one = Infotext.parse(batch.parameters(i));
                assertEquals(batch.imageRequest(i), one, noise + " image " + i);
                assertEquals(i + 1, one.batchPosition());
                assertEquals(noise.equals("gpu") ? 42 + i : 42, Long.parseLong(Infotext.pairs(batch.parameters(i))
                        .get("Seed")), "the image's own seed, as A1111 records it");
                GenerationResult again = run(one, NO_IMAGES);
                assertEquals(1, again.images().size());
                assertArrayEquals(batch.images().get(i).rgb(), again.images().get(0).rgb(), noise + " image " + i);
                assertEquals(one, again.imageRequest(0), "the image alone records the same");
            }
        }
    }

    @Test
    void everySamplerProducesAnImageAndItsParameters() {
        List<String> a1111 = Samplers.names().stream().filter(n -> !n.endsWith("Scheduler")).toList();
        assertTrue(a1111.size() >= 10, a1111.toString());
        for (String sampler : a1111) {
            GenerationResult result = run(tiny(sampler), NO_IMAGES);
            float[] rgb = result.images().get(0).rgb();
            for (float v : rgb) {
                assertTrue(v >= 0 && v <= 1 && !Float.isNaN(v), sampler);
            }
            GenerationRequest back = Infotext.parse(result.parameters());
            assertEquals(result.request(), back, sampler);
            assertEquals(64, result.request().modelHash().length(), "the model hash is recorded");
        }
    }

    @Test
    void imageToImageAndInpaintingUseTheirSources() {
        float[] gray = new float[3 * 64 * 64];
        java.util.Arrays.fill(gray, 0.5f);
        float[] half = new float[3 * 64 * 64];
        for (int i = 0; i < half.length / 2; i++) {
            half[i] = 1f;
        }
        List<String> asked = new ArrayList<>();
        ImageSources sources = source -> {
            asked.add(source);
            return new RgbImage(64, 64, source.equals("mask") ? half : gray);
        };
        GenerationResult img2img = run(tiny("DDIM").withInit("photo", "", 0.5), sources);
        GenerationResult inpaint = run(tiny("DDIM").withInit("photo", "mask", 1.0), sources);
        assertEquals(List.of("photo", "photo", "mask"), asked);
        assertEquals(1, img2img.images().size());
        assertEquals(1, inpaint.images().size());
    }

    @Test
    void aQueuedRequestComputesWithItsImagesAsTheyWereWhenSubmitted() throws Exception {
        float[] gray = new float[3 * 64 * 64];
        java.util.Arrays.fill(gray, 0.5f);
        float[] half = new float[3 * 64 * 64];
        java.util.Arrays.fill(half, 0, half.length / 2, 1f);
        Map<String, RgbImage> windows = new HashMap<>();
        windows.put("photo", new RgbImage(64, 64, gray));
        windows.put("mask", new RgbImage(64, 64, half));
        ImageSources sources = source -> windows.get(source);
        GenerationRequest inpaint = tiny("DDIM").withInit("photo", "mask", 0.8);
        float[] asSubmitted = run(inpaint, sources).images().get(0).rgb();

        CountDownLatch release = new CountDownLatch(1);
        JobHandle<Object> blocker = DiffijEngine.get().queue().submit("blocker", ctx -> {
            release.await();
            return null;
        });
        JobHandle<GenerationResult> queued;
        try {
            queued = new Generator(Generator.byPath(), null, "test").submit(inpaint, sources, null);
            // While the request waits in the queue, the user draws on the windows.
            windows.put("photo", new RgbImage(64, 64, half));
            windows.put("mask", new RgbImage(64, 64, gray));
        } finally {
            release.countDown();
        }
        blocker.await();
        assertArrayEquals(asSubmitted, queued.await().images().get(0).rgb());
        assertFalse(java.util.Arrays.equals(asSubmitted, run(inpaint, sources).images().get(0).rgb()),
                "the changed windows give another image, so the queued job did not read them");
    }

    @Test
    void cancellingAfterTheSecondStepStopsAndFreesTheJob() {
        AtomicReference<JobHandle<GenerationResult>> handle = new AtomicReference<>();
        List<String> messages = new ArrayList<>();
        GenerationRequest request = tiny("Euler").withSampling("Euler", 20, 7);
        handle.set(new Generator(Generator.byPath(), null, "test").submit(request, NO_IMAGES, (done, total, message) -> {
            messages.add(message);
            if (message.equals("step 2/20")) {
                handle.get().cancel();
            }
        }));
        assertThrows(JobCancelledException.class, () -> handle.get().await());
        assertTrue(messages.contains("step 2/20") && !messages.contains("step 4/20"), messages.toString());
        assertEquals(JobHandle.State.CANCELLED, handle.get().state());
        assertEquals(Integer.valueOf(7), DiffijEngine.get().queue().run("after cancel", ctx -> 7));
    }

    @Test
    void aSingleFileCheckpointGeneratesWhatItsDiffusersFolderGenerates() {
        Path folder = Golden.manifest().modelPath("tiny-sd15");
        Path file = Golden.manifest().modelPath("tiny-sd15-single-file");
        GenerationRequest request = tiny("DDIM");
        GenerationResult fromFolder = run(request, NO_IMAGES);
        GenerationResult fromFile = new Generator(Generator.byPath(), folder, "test")
                .submit(GenerationRequest.of(file.toString(), request.prompt()).withNegativePrompt("blurry")
                        .withSampling("DDIM", 3, 7).withSeed(42).withSize(64, 64, 1), NO_IMAGES, null).await();
        float[] a = fromFolder.images().get(0).rgb();
        float[] b = fromFile.images().get(0).rgb();
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        // The checkpoint stores the same weights as F16 values that the folder stores exactly.
        assertTrue(worst < 1e-4, "max difference " + worst);
        DiffijException noConfig = assertThrows(DiffijException.class, () -> run(GenerationRequest.of(file.toString(),
                "cat").withSize(64, 64, 1).withSampling("DDIM", 2, 7), NO_IMAGES));
        assertTrue(noConfig.getMessage().contains("--config"), noConfig.getMessage());
    }

    @Test
    void loraTagsInThePromptChangeTheImageAndWeightZeroChangesNothing() {
        Path loras = Golden.manifest().root().resolve("models/lora");
        Generator generator = new Generator(Generator.inFolders(List.of(loras)), null, "test");
        GenerationRequest plain = tiny("DDIM");
        float[] without = generator.submit(plain, NO_IMAGES, null).await().images().get(0).rgb();
        GenerationRequest tagged = GenerationRequest.of(plain.model(), "a photo of a cat <lora:tiny-sd15-lora-kohya:1>")
                .withNegativePrompt("blurry").withSampling("DDIM", 3, 7).withSeed(42).withSize(64, 64, 1);
        float[] with = generator.submit(tagged, NO_IMAGES, null).await().images().get(0).rgb();
        GenerationRequest zero = GenerationRequest.of(plain.model(), "a photo of a cat <lora:tiny-sd15-lora-kohya:0>")
                .withNegativePrompt("blurry").withSampling("DDIM", 3, 7).withSeed(42).withSize(64, 64, 1);
        float[] atZero = generator.submit(zero, NO_IMAGES, null).await().images().get(0).rgb();
        assertFalse(java.util.Arrays.equals(without, with), "the LoRA must change the image");
        assertArrayEquals(without, atZero, "a LoRA at weight 0 must leave the image unchanged");
        GenerationRequest peft = plain.withAdapters(List.of(new Adapter(Adapter.Kind.LORA, "tiny-sd15-lora-peft", 0.5)));
        float[] withPeft = generator.submit(peft, NO_IMAGES, null).await().images().get(0).rgb();
        assertFalse(java.util.Arrays.equals(without, withPeft));
        float[] again = generator.submit(plain, NO_IMAGES, null).await().images().get(0).rgb();
        assertArrayEquals(without, again, "the cached base model must be untouched by earlier LoRAs");
    }

    /** A1111's short hash of a LoRA, recomputed from its bytes: SHA-256 of what follows the 8 + n header bytes. */
    private static String addnetShortHash(Path safetensors) throws Exception {
        byte[] bytes = java.nio.file.Files.readAllBytes(safetensors);
        long header = java.nio.ByteBuffer.wrap(bytes, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        java.security.MessageDigest sha256 = java.security.MessageDigest.getInstance("SHA-256");
        sha256.update(bytes, (int) (8 + header), (int) (bytes.length - 8 - header));
        return java.util.HexFormat.of().formatHex(sha256.digest()).substring(0, 12);
    }

    @Test
    void theInfotextNamesAndHashesEveryLoraAsA1111Does() throws Exception {
        Path loras = Golden.manifest().root().resolve("models/lora");
        Generator generator = new Generator(Generator.inFolders(List.of(loras)), null, "test");
        GenerationRequest request = GenerationRequest.of(tiny("DDIM").model(),
                "a photo of a cat <lora:tiny-sd15-lora-kohya:0.8>").withSampling("DDIM", 2, 7).withSeed(42)
                .withSize(64, 64, 1).withAdapters(List.of(new Adapter(Adapter.Kind.LORA, "tiny-sd15-lora-peft", 0.5)));
        GenerationResult result = generator.submit(request, NO_IMAGES, null).await();
        String text = result.parameters(0);
        String[] lines = text.split("\n");
        assertEquals("a photo of a cat <lora:tiny-sd15-lora-kohya:0.8> <lora:tiny-sd15-lora-peft:0.5>", lines[0],
                "the request's LoRA becomes a tag beside the prompt's");
        String kohya = addnetShortHash(loras.resolve("tiny-sd15-lora-kohya.safetensors"));
        String peft = addnetShortHash(loras.resolve("tiny-sd15-lora-peft.safetensors"));
        assertTrue(lines[lines.length - 1].contains(", Lora hashes: \"tiny-sd15-lora-kohya: " + kohya
                + ", tiny-sd15-lora-peft: " + peft + "\", "), lines[lines.length - 1]);
        // A1111's infotext_pasted: the unquoted value split at ',' then once at ':'.
        Map<String, String> pasted = new HashMap<>();
        for (String entry : Infotext.pairs(text).get("Lora hashes").split(",")) {
            String[] nameHash = entry.strip().split(":", 2);
            pasted.put(nameHash[0].strip(), nameHash[1].strip());
        }
        assertEquals(Map.of("tiny-sd15-lora-kohya", kohya, "tiny-sd15-lora-peft", peft), pasted);
        GenerationRequest back = Infotext.parse(text);
        assertEquals(result.request().loraHashes(), back.loraHashes());
        float[] again = generator.submit(back, NO_IMAGES, null).await().images().get(0).rgb();
        assertArrayEquals(result.images().get(0).rgb(), again, "the infotext reproduces the image with both LoRAs");
    }

    @Test
    void hypernetTagsChangeTheImageStrengthZeroChangesNothingAndTheInfotextNamesThem() {
        Path hypernetworks = Golden.manifest().root().resolve("models/hypernetworks");
        Generator generator = new Generator(Generator.inFolders(List.of(hypernetworks)), null, "test");
        GenerationRequest plain = tiny("DDIM");
        float[] without = generator.submit(plain, NO_IMAGES, null).await().images().get(0).rgb();
        GenerationRequest tagged = GenerationRequest.of(plain.model(), "a photo of a cat <hypernet:tiny-sd15-hn-relu:1>")
                .withNegativePrompt("blurry").withSampling("DDIM", 3, 7).withSeed(42).withSize(64, 64, 1);
        float[] with = generator.submit(tagged, NO_IMAGES, null).await().images().get(0).rgb();
        GenerationRequest zero = GenerationRequest.of(plain.model(), "a photo of a cat <hypernet:tiny-sd15-hn-relu:0>")
                .withNegativePrompt("blurry").withSampling("DDIM", 3, 7).withSeed(42).withSize(64, 64, 1);
        float[] atZero = generator.submit(zero, NO_IMAGES, null).await().images().get(0).rgb();
        assertFalse(java.util.Arrays.equals(without, with), "the hypernetwork must change the image");
        assertArrayEquals(without, atZero, "a hypernetwork at strength 0 must leave the image unchanged");
        GenerationResult listed = generator.submit(plain.withAdapters(List.of(new Adapter(Adapter.Kind.HYPERNET,
                "tiny-sd15-hn-relu", 1))), NO_IMAGES, null).await();
        assertArrayEquals(with, listed.images().get(0).rgb(), "the adapters key applies it as the tag does");
        GenerationResult half = generator.submit(plain.withAdapters(List.of(new Adapter(Adapter.Kind.HYPERNET,
                "tiny-sd15-hn-linear.safetensors", 0.5))), NO_IMAGES, null).await();
        assertFalse(java.util.Arrays.equals(without, half.images().get(0).rgb()));
        Map<String, String> pairs = Infotext.pairs(half.parameters());
        assertEquals("tiny-sd15-hn-linear.safetensors", pairs.get("Hypernet"));
        assertEquals("0.5", pairs.get("Hypernet strength"));
        assertEquals(half.request(), Infotext.parse(half.parameters()));
        GenerationRequest fromA1111 = Infotext.parse("a cat\nSteps: 3, Sampler: DDIM, CFG scale: 7, Seed: 42, "
                + "Size: 64x64, Model: tiny-sd15, Hypernet: tiny-sd15-hn-relu, Hypernet strength: 0.8");
        assertEquals(List.of(new Adapter(Adapter.Kind.HYPERNET, "tiny-sd15-hn-relu", 0.8)), fromA1111.adapters());
        float[] again = generator.submit(plain, NO_IMAGES, null).await().images().get(0).rgb();
        assertArrayEquals(without, again, "the cached UNet must be untouched by the hypernetworks");
    }

    @Test
    void anImagePromptChangesTheImageAndScaleZeroChangesNothing() {
        Path adapters = Golden.manifest().modelPath("tiny-ip-adapter-sd15").resolve("models");
        Generator generator = new Generator(Generator.inFolders(List.of(adapters)), null, "test");
        float[] stripes = new float[3 * 48 * 40];
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = (i / 3 % 48 / 6 % 2) * 0.8f + 0.1f;
        }
        List<String> asked = new ArrayList<>();
        ImageSources sources = source -> {
            asked.add(source);
            return new RgbImage(48, 40, stripes);
        };
        GenerationRequest plain = tiny("DDIM");
        float[] without = generator.submit(plain, NO_IMAGES, null).await().images().get(0).rgb();
        GenerationResult zero = generator.submit(plain.withImagePrompt(new IpAdapterPrompt("ip-adapter_sd15",
                "stripes", 0)), sources, null).await();
        GenerationResult prompted = generator.submit(plain.withImagePrompt(new IpAdapterPrompt(
                "ip-adapter_sd15.safetensors", "stripes", 0.6)), sources, null).await();
        assertArrayEquals(without, zero.images().get(0).rgb(), "an IP-Adapter at scale 0 must leave the image unchanged");
        assertFalse(java.util.Arrays.equals(without, prompted.images().get(0).rgb()), "the image prompt must act");
        assertEquals(List.of("stripes", "stripes"), asked);
        assertEquals(prompted.request(), Infotext.parse(prompted.parameters()));
        assertEquals(new IpAdapterPrompt("ip-adapter_sd15.safetensors", "stripes", 0.6),
                prompted.request().imagePrompt());
        float[] again = generator.submit(plain, NO_IMAGES, null).await().images().get(0).rgb();
        assertArrayEquals(without, again, "the cached UNet must be untouched by the image prompt");
    }

    @Test
    void badRequestsFailBeforeAnyWork() {
        // Built outside assertThrows: without the golden data the test is skipped, not failed by the wrong exception.
        GenerationRequest eulr = tiny("Eulr");
        GenerationRequest ddim = tiny("DDIM");
        DiffijException sampler = assertThrows(DiffijException.class, () -> run(eulr, NO_IMAGES));
        assertTrue(sampler.getMessage().contains("unknown sampler 'Eulr'"), sampler.getMessage());
        DiffijException model = assertThrows(DiffijException.class,
                () -> run(GenerationRequest.of("/no/such/model", "cat"), NO_IMAGES));
        assertTrue(model.getMessage().contains("not found"), model.getMessage());
        DiffijException hypernet = assertThrows(DiffijException.class,
                () -> run(GenerationRequest.of(ddim.model(), "cat <hypernet:x:1>"), NO_IMAGES));
        assertTrue(hypernet.getMessage().contains("'x' not found"), hypernet.getMessage());
        DiffijException image = assertThrows(DiffijException.class,
                () -> run(ddim.withInit("missing.png", "", 0.5), NO_IMAGES));
        assertTrue(image.getMessage().contains("no image missing.png"), image.getMessage());
    }
}
