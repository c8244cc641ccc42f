package org.diffij.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.diffij.image.PngFiles;
import org.diffij.image.RgbImage;
import org.diffij.parity.Golden;
import org.diffij.pipelines.GenerationRequest;
import org.diffij.pipelines.Infotext;
import org.diffij.pipelines.IpAdapterPrompt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateCommandTest {

    @TempDir
    Path dir;

    private String model() {
        return Golden.manifest().modelPath("tiny-sd15").toString();
    }

    @Test
    void writesPngsWhoseParametersReproduceTheRequest() {
        Path out = dir.resolve("cat.png");
        CliRun run = CliRun.of("generate", "--model", model(), "--prompt", "a (cat:1.2)", "--negative", "blurry",
                "--sampler", "Euler a", "--steps", "3", "--seed", "7", "--width", "60", "--height", "64",
                "--batch", "2", "--out", out.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("step 3/3"), run.out());
        assertTrue(run.out().contains("width 60 rounded to 64"), run.out());
        Path second = dir.resolve("cat-1.png");
        assertTrue(Files.exists(out) && Files.exists(second));
        GenerationRequest request = Infotext.parse(PngFiles.readText(out).get("parameters"));
        assertEquals("a (cat:1.2)", request.prompt());
        assertEquals("Euler a", request.sampler());
        assertEquals(7, request.seed());
        assertEquals(2, request.batchSize());
        assertEquals(64, request.modelHash().length());
        RgbImage image = PngFiles.read(out);
        assertEquals(64, image.width());

        CliRun again = CliRun.of("generate", "--model", model(), "--prompt", "a (cat:1.2)", "--negative", "blurry",
                "--sampler", "Euler a", "--steps", "3", "--seed", "7", "--width", "64", "--height", "64",
                "--batch", "2", "--out", out.toString());
        assertEquals(2, again.exitCode(), "an existing output is never overwritten without --overwrite");
        assertTrue(again.err().contains("exists"), again.err());
    }

    @Test
    void badInputIsAOneLineErrorWithExitCodeTwo() throws Exception {
        assertError("unknown sampler 'Eulr'", "--model", model(), "--prompt", "x", "--sampler", "Eulr");
        assertError("width must be 8..4096 pixels, not 5000", "--model", model(), "--prompt", "x", "--width", "5000");
        assertError("not found", "--model", dir.resolve("missing").toString(), "--prompt", "x");
        Path init = dir.resolve("init.png");
        Path mask = dir.resolve("mask.png");
        PngFiles.write(init, new RgbImage(64, 64, new float[3 * 64 * 64]), Map.of());
        PngFiles.write(mask, new RgbImage(32, 64, new float[3 * 32 * 64]), Map.of());
        assertError("the mask is 32x64 but the init image is 64x64", "--model", model(), "--prompt", "x",
                "--init", init.toString(), "--mask", mask.toString());
        assertError("--mask needs --init", "--model", model(), "--prompt", "x", "--mask", mask.toString());
        assertError("no ControlNet model for 'canny'", "--model", model(), "--prompt", "x", "--control",
                "canny=" + init);
        Path models = Golden.manifest().root().resolve("models");
        assertError("tiny-sd15-lora-kohya.safetensors is not a model to generate with: this is a LoRA: use it with "
                + "<lora:tiny-sd15-lora-kohya:1>", "--model", models.resolve("lora/tiny-sd15-lora-kohya.safetensors")
                .toString(), "--prompt", "x");
        assertError("this is a hypernetwork: use it with <hypernet:tiny-sd15-hn-linear:1>", "--model",
                models.resolve("hypernetworks/tiny-sd15-hn-linear.pt").toString(), "--prompt", "x");
        assertError("this is a textual-inversion embedding", "--model",
                models.resolve("textual_inversion/cat-toy-a1111.pt").toString(), "--prompt", "x");
        assertError("the ControlNet tiny-controlnet-sd15 belongs to another base model", "--model",
                models.resolve("tiny-sdxl").toString(), "--prompt", "x", "--steps", "1", "--width", "64", "--height",
                "64", "--control", "canny=" + init, "--controlnet", "canny=" + models.resolve("tiny-controlnet-sd15"));
        CliRun typo = CliRun.of("genrate", "--model", model());
        assertEquals(2, typo.exitCode());
        assertTrue(typo.err().contains("Did you mean: diffij generate"), typo.err());
        assertTrue(typo.err().contains("Try 'diffij --help'"), typo.err());
    }

    private void assertError(String message, String... args) {
        String[] full = new String[args.length + 3];
        full[0] = "generate";
        System.arraycopy(args, 0, full, 1, args.length);
        full[args.length + 1] = "--out";
        full[args.length + 2] = dir.resolve("never.png").toString();
        CliRun run = CliRun.of(full);
        assertEquals(2, run.exitCode(), run.out() + run.err());
        assertTrue(run.err().contains(message), run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(!Files.exists(dir.resolve("never.png")));
    }

    @Test
    void anImagePromptIsAppliedAndRecordedAndHalfOfOneIsAnError() {
        Path adapter = Golden.manifest().modelPath("tiny-ip-adapter-sd15")
                .resolve("models/ip-adapter_sd15.safetensors");
        Path image = dir.resolve("style.png");
        float[] stripes = new float[3 * 48 * 40];
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = (i / 3 % 48 / 6 % 2) * 0.8f + 0.1f;
        }
        PngFiles.write(image, new RgbImage(48, 40, stripes), Map.of());
        String[] plain = {"generate", "--model", model(), "--prompt", "cat", "--steps", "2", "--seed", "3",
            "--width", "64", "--height", "64", "--out", dir.resolve("plain.png").toString()};
        assertEquals(0, CliRun.of(plain).exitCode());
        CliRun prompted = CliRun.of("generate", "--model", model(), "--prompt", "cat", "--steps", "2", "--seed", "3",
                "--width", "64", "--height", "64", "--ip-adapter", adapter.toString(), "--ip-image", image.toString(),
                "--ip-scale", "0.8", "--out", dir.resolve("prompted.png").toString());
        assertEquals(0, prompted.exitCode(), prompted.err());
        GenerationRequest request = Infotext.parse(PngFiles.readText(dir.resolve("prompted.png")).get("parameters"));
        assertEquals(new IpAdapterPrompt(adapter.toString(), image.toString(), 0.8), request.imagePrompt());
        assertTrue(!java.util.Arrays.equals(PngFiles.read(dir.resolve("plain.png")).toPackedRgb(),
                PngFiles.read(dir.resolve("prompted.png")).toPackedRgb()), "the image prompt must change the image");

        assertError("--ip-adapter needs --ip-image", "--model", model(), "--prompt", "x", "--ip-adapter",
                adapter.toString());
        assertError("--ip-image needs --ip-adapter", "--model", model(), "--prompt", "x", "--ip-image",
                image.toString());
        assertError("--ip-image " + dir.resolve("none.png") + ": no such file", "--model", model(), "--prompt", "x",
                "--ip-adapter", adapter.toString(), "--ip-image", dir.resolve("none.png").toString());
        assertError("not found", "--model", model(), "--prompt", "x", "--ip-adapter",
                dir.resolve("none.safetensors").toString(), "--ip-image", image.toString());
        assertError("no image_encoder/ folder", "--model", model(), "--prompt", "x", "--ip-adapter",
                image.toString(), "--ip-image", image.toString());
    }

    @Test
    void theSameSeedTwiceGivesTheSamePixels() {
        String[] args = {"generate", "--model", model(), "--prompt", "cat", "--steps", "2", "--seed", "3",
            "--width", "64", "--height", "64", "--out", dir.resolve("a.png").toString()};
        assertEquals(0, CliRun.of(args).exitCode());
        args[args.length - 1] = dir.resolve("b.png").toString();
        assertEquals(0, CliRun.of(args).exitCode());
        assertArrayEquals(PngFiles.read(dir.resolve("a.png")).toPackedRgb(),
                PngFiles.read(dir.resolve("b.png")).toPackedRgb());
    }

    private int[] pixels(String file) {
        return PngFiles.read(dir.resolve(file)).toPackedRgb();
    }

    private CliRun tinyRun(String out, String prompt, String... more) {
        List<String> args = new ArrayList<>(List.of("generate", "--model", model(), "--prompt", prompt, "--steps", "2",
                "--seed", "5", "--width", "64", "--height", "64", "--out", dir.resolve(out).toString()));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    @Test
    void embeddingsNamedInThePromptAreFoundInTheModelFoldersAppliedLoggedAndHashed() throws Exception {
        Path folder = Golden.manifest().root().resolve("models/textual_inversion");
        CliRun plain = tinyRun("plain.png", "a photo of cat-toy-a1111");
        assertEquals(0, plain.exitCode(), plain.err());
        assertFalse(plain.out().contains("embedding"), plain.out());
        CliRun found = tinyRun("found.png", "a photo of cat-toy-a1111", "--models-dir", folder.toString());
        assertEquals(0, found.exitCode(), found.err());
        assertTrue(found.out().contains("embedding 'cat-toy-a1111' named in the prompt, applied from "), found.out());
        assertFalse(Arrays.equals(pixels("plain.png"), pixels("found.png")), "the embedding changes the image");
        CliRun given = tinyRun("given.png", "a photo of cat-toy-a1111", "--embedding",
                folder.resolve("cat-toy-a1111.pt").toString());
        assertEquals(0, given.exitCode(), given.err());
        assertTrue(given.out().contains("embedding 'cat-toy-a1111' applied from "), given.out());
        assertArrayEquals(pixels("found.png"), pixels("given.png"), "the same file, found or given");

        // A1111's TI hashes: the first 12 hex digits of the embedding file's SHA-256, by its name.
        String shortHash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(
                Files.readAllBytes(folder.resolve("cat-toy-a1111.pt")))).substring(0, 12);
        for (String png : List.of("found.png", "given.png")) {
            String parameters = PngFiles.readText(dir.resolve(png)).get("parameters");
            assertTrue(parameters.contains(", TI hashes: \"cat-toy-a1111: " + shortHash + "\""), parameters);
            assertEquals(Map.of("cat-toy-a1111", shortHash), Infotext.parse(parameters).embeddingHashes(), png);
        }
        String plainParameters = PngFiles.readText(dir.resolve("plain.png")).get("parameters");
        assertFalse(plainParameters.contains("TI hashes"), "no embedding, no hash: " + plainParameters);
        CliRun unnamed = tinyRun("unnamed.png", "a photo of a cat toy", "--models-dir", folder.toString());
        assertFalse(unnamed.out().contains("embedding"), "an embedding the prompt does not name stays out");
    }

    @Test
    void anInitImageGivesItsSizeWhenNoneIsAsked() {
        Path init = dir.resolve("init.png");
        PngFiles.write(init, new RgbImage(60, 40, new float[3 * 60 * 40]), Map.of());
        CliRun run = CliRun.of("generate", "--model", model(), "--prompt", "x", "--steps", "2", "--init",
                init.toString(), "--strength", "0.5", "--out", dir.resolve("i2i.png").toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("size 60x40 from the init image"), run.out());
        assertTrue(run.out().contains("width 60 rounded to 64"), run.out());
        RgbImage made = PngFiles.read(dir.resolve("i2i.png"));
        assertEquals(64, made.width());
        assertEquals(40, made.height());
    }

    @Test
    void aControlWithThreePartsStartsAtItsStartAndEndsAtTheEnd() {
        Path edges = dir.resolve("edges.png");
        PngFiles.write(edges, new RgbImage(64, 64, new float[3 * 64 * 64]), Map.of());
        String controlNet = Golden.manifest().modelPath("tiny-controlnet-sd15").toString();
        CliRun run = tinyRun("control.png", "x", "--control", "canny=" + edges + ":0.7:0.25", "--controlnet",
                "canny=" + controlNet);
        assertEquals(0, run.exitCode(), run.err());
        GenerationRequest request = Infotext.parse(PngFiles.readText(dir.resolve("control.png")).get("parameters"));
        assertEquals(0.7, request.controls().get(0).scale());
        assertEquals(0.25, request.controls().get(0).start());
        assertEquals(1.0, request.controls().get(0).end());
        assertError("--control takes TYPE=IMG[:SCALE[:START[:END]]]", "--model", model(), "--prompt", "x",
                "--control", "canny=" + edges + ":1:0:1:9", "--controlnet", "canny=" + controlNet);
        assertError(dir.resolve("none.png").toString(), "--model", model(), "--prompt", "x", "--control",
                "canny=" + dir.resolve("none.png"), "--controlnet", "canny=" + controlNet);
    }

    @Test
    void aModelFolderGivenThroughASymbolicLinkIsUsed() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("linked-sd15"), Path.of(model()).toAbsolutePath());
        CliRun direct = tinyRun("direct.png", "cat");
        CliRun linked = CliRun.of("generate", "--model", link.toString(), "--prompt", "cat", "--steps", "2",
                "--seed", "5", "--width", "64", "--height", "64", "--out", dir.resolve("linked.png").toString());
        assertEquals(0, direct.exitCode(), direct.err());
        assertEquals(0, linked.exitCode(), linked.err());
        assertArrayEquals(pixels("direct.png"), pixels("linked.png"));
        assertEquals(Infotext.parse(PngFiles.readText(dir.resolve("direct.png")).get("parameters")).modelHash(),
                Infotext.parse(PngFiles.readText(dir.resolve("linked.png")).get("parameters")).modelHash());
    }
}
