package org.diffij.pipelines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.diffij.DiffijException;
import org.junit.jupiter.api.Test;

class GenerationRequestTest {

    private static GenerationRequest full() {
        return GenerationRequest.of("models/tiny sd15", "a (cat:1.2) on [mars], photo")
                .withNegativePrompt("blurry, low quality")
                .withSampling("Euler a", 30, 6.5)
                .withSeed(4_294_967_295L)
                .withSize(768, 512, 2)
                .withInit("cat.tif", "Mask of cat.tif", 0.6)
                .withControls(List.of(new Control("canny", "control-canny", "Edges of cat.tif", 0.8, 0, 0.75)))
                .withAdapters(List.of(new Adapter(Adapter.Kind.LORA, "style.safetensors", 0.7)))
                .withClipSkip(2, "gpu")
                .withImagePrompt(new IpAdapterPrompt("ip-adapter_sd15.safetensors", "Face of cat.tif", 0.6))
                .withModelHash("6ce0161689b3853acaa03779ec93eafe75a02f4ced659bee03f50797806fa2fa")
                .withLoraHashes(Map.of("style.safetensors", "7C6BAD76EB54E0E5A4F4E9A3C2B1D0F9"))
                .withEmbeddingHashes(Map.of("cat-toy", "0A1B2C3D4E5F60718293A4B5C6D7E8F9"));
    }

    @Test
    void macroOptionsRoundTrip() {
        GenerationRequest request = full();
        String options = request.toMacroOptions();
        assertTrue(options.startsWith("model=[models/tiny sd15] prompt=[a (cat:1.2) on [mars], photo] "
                + "negative=[blurry, low quality] sampler=[Euler a] steps=30 cfg=6.5 seed=4294967295 width=768 "
                + "height=512 batch=2 init=cat.tif strength=0.6"), options);
        assertTrue(options.contains(" ip_adapter=[ip-adapter_sd15.safetensors|Face of cat.tif|0.6] "), options);
        assertEquals(request, GenerationRequest.fromMacroOptions(options));
        GenerationRequest plain = GenerationRequest.of("m", "a cat");
        assertEquals("model=m prompt=[a cat] negative=[] sampler=[DPM++ 2M Karras] steps=25 cfg=7 seed=0 width=512 "
                + "height=512 batch=1", plain.toMacroOptions());
        assertEquals(plain, GenerationRequest.fromMacroOptions(plain.toMacroOptions()));
    }

    @Test
    void infotextRoundTripsAndReadsLikeA1111() {
        GenerationRequest request = full();
        String text = Infotext.format(request, "Diffij test");
        String[] lines = text.split("\n");
        assertEquals("a (cat:1.2) on [mars], photo <lora:style.safetensors:0.7>", lines[0],
                "the request's LoRAs are written as A1111 calls them");
        assertEquals("Negative prompt: blurry, low quality", lines[1]);
        assertTrue(lines[2].startsWith("Steps: 30, Sampler: Euler a, CFG scale: 6.5, Seed: 4294967295, Size: 768x512, "
                + "Model hash: 6ce0161689, Model: models/tiny sd15, Denoising strength: 0.6"), lines[2]);
        assertTrue(lines[2].contains("ControlNet 0: \"Module: none, Model: control-canny, Weight: 0.8, Resize Mode: "
                + "Crop and Resize, Low Vram: False, Guidance Start: 0, Guidance End: 0.75, Pixel Perfect: False, "
                + "Control Mode: Balanced, Type: canny, Image: Edges of cat.tif\""), lines[2]);
        assertTrue(lines[2].contains("Mask: Mask of cat.tif, Masked content: original, Inpaint area: Whole picture"),
                lines[2]);
        assertTrue(!lines[2].contains("Adapter 0"), lines[2]);
        assertTrue(lines[2].contains(", Lora hashes: \"style.safetensors: 7c6bad76eb54\", "), "A1111's 12 digits, "
                + "lower case: " + lines[2]);
        assertTrue(lines[2].contains(", TI hashes: \"cat-toy: 0a1b2c3d4e5f\", "), "A1111's key and 12 digits: "
                + lines[2]);
        assertTrue(lines[2].contains("IP-Adapter: \"file: ip-adapter_sd15.safetensors, image: Face of cat.tif, "
                + "scale: 0.6\""), lines[2]);
        assertEquals(request.withPrompt(request.prompt() + " <lora:style.safetensors:0.7>").withAdapters(List.of()),
                Infotext.parse(text), "the same request, its LoRA as a prompt tag");
    }

    private static String a1111(String pairs) {
        return "a cat\nNegative prompt: blurry\nSteps: 20, " + pairs + ", CFG scale: 7, Seed: 45, Size: 512x512, "
                + "Model: v1-5, Version: v1.10.1";
    }

    @Test
    void readsTheA1111FormatsOfSamplersSchedulesBatchesInpaintingAndControlNetUnits() {
        assertEquals("DPM++ 2M Karras", Infotext.parse(a1111("Sampler: DPM++ 2M, Schedule type: Karras")).sampler());
        assertEquals("DPM++ 2M Karras", Infotext.parse(a1111("Sampler: DPM++ 2M, Schedule type: Automatic")).sampler(),
                "A1111's automatic schedule of DPM++ 2M is Karras");
        assertEquals("DPM++ 2M Karras", Infotext.parse(a1111("Sampler: DPM++ 2M")).sampler());
        assertEquals("DPM++ 2M", Infotext.parse(a1111("Sampler: DPM++ 2M, Schedule type: Uniform")).sampler());
        assertEquals("DPM++ 2M SDE Karras", Infotext.parse(a1111("Sampler: DPM++ 2M SDE, Schedule type: Karras"))
                .sampler());
        assertEquals("Euler a", Infotext.parse(a1111("Sampler: Euler a, Schedule type: Automatic")).sampler());
        assertEquals("LMS Karras", Infotext.parse(a1111("Sampler: LMS, Schedule type: Karras")).sampler());
        assertEquals("DPM++ 2M Karras", Infotext.parse(a1111("Sampler: DPM++ 2M Karras")).sampler(),
                "the combined names of A1111 before 1.9");

        GenerationRequest fourth = Infotext.parse(a1111("Sampler: Euler a") + ", Batch size: 4, Batch pos: 3");
        assertEquals(4, fourth.batchPosition());
        assertEquals(42, fourth.seed(), "A1111 records image 4's own seed, the batch's + 3");

        GenerationRequest inpaint = Infotext.parse(a1111("Sampler: Euler a") + ", Denoising strength: 0.75, "
                + "Mask blur: 4, Masked content: original, Inpaint area: Only masked, Masked area padding: 48");
        assertEquals(48, inpaint.onlyMaskedPadding());
        assertEquals(0.75, inpaint.strength());
        assertEquals("unknown", inpaint.mask(), "A1111 does not name its mask, as it does not name its init image");

        GenerationRequest unit = Infotext.parse(a1111("Sampler: Euler a") + ", ControlNet 0: \"Module: canny, "
                + "Model: control_v11p_sd15_canny [d14c016b], Weight: 0.9, Resize Mode: Crop and Resize, Low Vram: "
                + "False, Processor Res: 512, Threshold A: 100, Threshold B: 200, Guidance Start: 0.1, Guidance End: "
                + "0.8, Pixel Perfect: False, Control Mode: Balanced\"");
        assertEquals(List.of(new Control("canny", "control_v11p_sd15_canny [d14c016b]", "unknown", 0.9, 0.1, 0.8)),
                unit.controls());
    }

    @Test
    void writesCanonicalA1111SamplerNamesAndScheduleTypesThatReadBack() {
        Map<String, String> karras = Infotext.pairs(Infotext.format(GenerationRequest.of("m", "x")
                .withSampling("dpm++ 2m karras", 20, 7), "Diffij test"));
        assertEquals("DPM++ 2M", karras.get("Sampler"));
        assertEquals("Karras", karras.get("Schedule type"));
        for (String sampler : List.of("dpm++ 2m", "DPM++ 2M SDE", "euler a", "LMS Karras", "DDIM",
                "EulerDiscreteScheduler", "dpmsolvermultistepscheduler")) {
            GenerationRequest request = GenerationRequest.of("m", "x").withSampling(sampler, 20, 7);
            String text = Infotext.format(request, "Diffij test");
            Map<String, String> pairs = Infotext.pairs(text);
            assertTrue(org.diffij.schedulers.Samplers.isA1111(pairs.get("Sampler")), text);
            assertEquals(request, Infotext.parse(text), sampler);
            assertEquals(request, Infotext.parse(text.replace("Version: Diffij test", "Version: v1.10.1")), sampler
                    + ": A1111's reading of it");
        }
        Map<String, String> plain = Infotext.pairs(Infotext.format(GenerationRequest.of("m", "x")
                .withSampling("dpm++ 2m", 20, 7), "Diffij test"));
        assertEquals("DPM++ 2M", plain.get("Sampler"));
        assertEquals("Uniform", plain.get("Schedule type"), "not A1111's automatic Karras");
        Map<String, String> diffusers = Infotext.pairs(Infotext.format(GenerationRequest.of("m", "x")
                .withSampling("EulerDiscreteScheduler", 20, 7), "Diffij test"));
        assertEquals("Euler", diffusers.get("Sampler"));
        assertEquals("EulerDiscreteScheduler", diffusers.get("Diffij sampler"));
        assertEquals("Euler a", GenerationRequest.of("m", "x").withSampling("euler A", 20, 7).sampler());
    }

    @Test
    void readsAnA1111Infotext() {
        String a1111 = "masterpiece, (best quality:1.2), cat\nwearing a hat\nNegative prompt: lowres, bad anatomy\n"
                + "Steps: 20, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 1234, Size: 512x768, Model hash: 6ce0161689, "
                + "Model: v1-5-pruned-emaonly, Clip skip: 2, Lora hashes: \"add_detail: 7c6bad76eb54\", Version: v1.6.0";
        GenerationRequest r = Infotext.parse(a1111);
        assertEquals("masterpiece, (best quality:1.2), cat\nwearing a hat", r.prompt());
        assertEquals("lowres, bad anatomy", r.negativePrompt());
        assertEquals("DPM++ 2M Karras", r.sampler());
        assertEquals(20, r.steps());
        assertEquals(1234, r.seed());
        assertEquals(512, r.width());
        assertEquals(768, r.height());
        assertEquals(2, r.clipSkip());
        assertEquals("gpu", r.noise(), "A1111 omits RNG when it used its default GPU noise");
        assertEquals("v1-5-pruned-emaonly", r.model());
        assertEquals(Map.of("add_detail", "7c6bad76eb54").toString().replace("=", ": "),
                "{" + Infotext.pairs(a1111).get("Lora hashes") + "}");
        assertEquals(Map.of("add_detail", "7c6bad76eb54"), r.loraHashes());
        GenerationRequest two = Infotext.parse(a1111.replace("\"add_detail: 7c6bad76eb54\"",
                "\"add_detail: 7c6bad76eb54, film grain: 0a1b2c3d4e5f\""));
        assertEquals(List.of("add_detail", "film grain"), List.copyOf(two.loraHashes().keySet()));
        assertEquals("0a1b2c3d4e5f", two.loraHashes().get("film grain"));
        assertEquals(Map.of(), r.embeddingHashes());
        GenerationRequest embeddings = Infotext.parse(a1111.replace(", Version:",
                ", TI hashes: \"easynegative: c74b4e810b03, bad-hands-5: aa7651be154c\", Version:"));
        assertEquals(List.of("easynegative", "bad-hands-5"), List.copyOf(embeddings.embeddingHashes().keySet()));
        assertEquals("aa7651be154c", embeddings.embeddingHashes().get("bad-hands-5"));
        assertEquals(r.loraHashes(), embeddings.loraHashes(), "TI hashes are no LoRA's");
    }

    @Test
    void theCacheKeyChangesWithEveryParameter() {
        GenerationRequest base = full();
        assertEquals(base.cacheKey(), full().cacheKey());
        for (GenerationRequest changed : List.of(base.withSeed(1), base.withSampling("Euler a", 31, 6.5),
                base.withSize(768, 512, 1), base.withNegativePrompt(""), base.withClipSkip(1, "gpu"),
                base.withClipSkip(2, "cpu"), base.withAdapters(List.of()), base.withModelHash("ab"),
                base.withLoraHashes(Map.of("style.safetensors", "7c6bad76eb55")),
                base.withEmbeddingHashes(Map.of("cat-toy", "0a1b2c3d4e50")), base.withEmbeddingHashes(Map.of()),
                base.withImagePrompt(null), base.withImagePrompt(new IpAdapterPrompt("ip-adapter_sd15.safetensors",
                        "Face of cat.tif", 0.7)))) {
            assertNotEquals(base.cacheKey(), changed.cacheKey(), changed.toMacroOptions());
        }
    }

    @Test
    void seedMinusOneDrawsASeedThatTheRequestRecords() {
        GenerationRequest r = GenerationRequest.of("m", "cat");
        List<Long> seeds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            GenerationRequest drawn = r.withSeed(GenerationRequest.RANDOM_SEED);
            assertTrue(drawn.seed() >= 0 && drawn.seed() < 1L << 32, Long.toString(drawn.seed()));
            assertEquals(drawn, GenerationRequest.fromMacroOptions(drawn.toMacroOptions()), "recorded, not drawn again");
            assertEquals(List.of("random seed " + drawn.seed()), drawn.notes(-1, 512, 512));
            seeds.add(drawn.seed());
        }
        assertTrue(seeds.stream().distinct().count() > 1, "three draws gave the same seed: " + seeds);
        assertEquals(List.of(), r.withSeed(5).notes(5, 512, 512));
    }

    @Test
    void sizesAreRoundedToTheNearestMultipleOfEight() {
        GenerationRequest r = GenerationRequest.of("m", "cat").withSize(513, 516, 1);
        assertEquals(512, r.width());
        assertEquals(520, r.height(), "halfway rounds up");
        assertEquals(8, r.withSize(11, 8, 1).width());
        assertEquals(4096, r.withSize(4095, 8, 1).width());
        assertEquals(List.of("width 513 rounded to 512 (the model works on multiples of 8; images are resized to it, "
                + "not cropped)", "height 516 rounded to 520 (the model works on multiples of 8; images are resized "
                + "to it, not cropped)"), r.notes(0, 513, 516));
        assertEquals(512, GenerationRequest.fromMacroOptions("model=m width=509").width());
    }

    @Test
    void badValuesAreRejectedWithWhatToDo() {
        GenerationRequest r = GenerationRequest.of("m", "cat");
        assertMessage(() -> r.withSize(7, 512, 1), "width must be 8..4096 pixels, not 7");
        assertMessage(() -> r.withSize(512, 100000, 1), "height must be 8..4096 pixels, not 100000");
        assertMessage(() -> r.withSize(512, 512, 0), "batch size must be 1..64");
        assertMessage(() -> r.withSampling("Euler", 0, 7), "steps must be 1..1000, not 0");
        assertMessage(() -> r.withSampling("Euler", 20, Double.NaN), "CFG scale must lie in 0..100");
        assertMessage(() -> r.withSeed(-2), "seed must be 0 or positive, or -1 for a random seed, not -2");
        assertMessage(() -> r.withInit("", "", 0.5), "a denoising strength below 1 needs an init image");
        assertMessage(() -> r.withInit("", "mask", 1), "an inpainting mask needs an init image");
        assertMessage(() -> GenerationRequest.of("", "cat"), "no model given");
        assertMessage(() -> GenerationRequest.fromMacroOptions("model=m steps=ten"), "steps must be a whole number");
        assertMessage(() -> GenerationRequest.fromMacroOptions("model=m stesp=10"), "unknown option 'stesp'");
        assertMessage(() -> GenerationRequest.fromMacroOptions("model=m prompt=[a [cat"), "without its closing ']'");
        assertMessage(() -> new Control("canny", "m", "img", 1, 0.8, 0.2), "0 <= start <= end <= 1");
        assertMessage(() -> Infotext.parse("just a prompt"), "no 'Steps:'");
        assertMessage(() -> new IpAdapterPrompt("ip.safetensors", "img", Double.POSITIVE_INFINITY),
                "IP-Adapter scale must lie in 0..10");
        assertMessage(() -> new IpAdapterPrompt("ip.safetensors", "img", 11), "IP-Adapter scale must lie in 0..10");
        assertMessage(() -> new IpAdapterPrompt("ip|x", "img", 1), "without '|' or ';'");
        assertMessage(() -> new IpAdapterPrompt("ip.safetensors", "a;b", 1), "without '|' or ';'");
        assertMessage(() -> GenerationRequest.fromMacroOptions("model=m ip_adapter=[ip.safetensors|img]"),
                "ip_adapter is file|image|scale");
        assertMessage(() -> r.withLoraHashes(Map.of("style", "not hex")), "a LoRA hash is 'name: hex digits', "
                + "not 'style: not hex'");
        assertMessage(() -> GenerationRequest.fromMacroOptions("model=m lora_hashes=[style 7c6bad76eb54]"),
                "a Lora hashes entry is 'name: hash', not 'style 7c6bad76eb54'");
        assertMessage(() -> r.withEmbeddingHashes(Map.of("cat-toy", "zz")), "an embedding hash is 'name: hex digits', "
                + "not 'cat-toy: zz'; correct or remove the TI hashes entry");
        assertMessage(() -> GenerationRequest.fromMacroOptions("model=m ti_hashes=[cat-toy 0a1b2c3d4e5f]"),
                "a TI hashes entry is 'name: hash', not 'cat-toy 0a1b2c3d4e5f'");
    }

    @Test
    void macroOptionsParseLikeImageJ() {
        Map<String, String> o = MacroOptions.parse("model=[a b] steps=20 preview prompt=[x [y:z:0.5] w]");
        assertEquals(Map.of("model", "a b", "steps", "20", "preview", "true", "prompt", "x [y:z:0.5] w"), o);
        assertMessage(() -> MacroOptions.parse("steps=1 steps=2"), "'steps' is given twice");
    }

    private static void assertMessage(Runnable action, String expected) {
        DiffijException e = assertThrows(DiffijException.class, action::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
