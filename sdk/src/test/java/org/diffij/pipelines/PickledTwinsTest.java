package org.diffij.pipelines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.diffij.DiffijException;
import org.diffij.image.RgbImage;
import org.diffij.io.SafetensorsFile;
import org.diffij.io.WeightSet;
import org.diffij.io.pickle.TorchPickleWriter;
import org.diffij.parity.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The torch-pickle twins of the tiny models, written by our writer in the layouts the ecosystem uses
 * (a Lightning {@code state_dict} checkpoint, a flat kohya LoRA {@code .pt}, the nested IP-Adapter
 * {@code .bin}, {@code diffusion_pytorch_model.bin} folders), generate exactly what the safetensors
 * originals generate.
 */
class PickledTwinsTest {

    private static final ImageSources NO_IMAGES = source -> {
        throw new DiffijException("no image " + source);
    };

    @TempDir
    Path dir;

    private static GenerationRequest request(String model, String prompt) {
        return GenerationRequest.of(model, prompt).withNegativePrompt("blurry").withSampling("DDIM", 3, 7)
                .withSeed(42).withSize(64, 64, 1);
    }

    private static float[] generate(Generator generator, GenerationRequest request, ImageSources sources) {
        return generator.submit(request, sources, null).await().images().get(0).rgb();
    }

    @Test
    void aCkptCheckpointGeneratesWhatItsSafetensorsOriginalGenerates() throws IOException {
        Path original = Golden.manifest().modelPath("tiny-sd15-single-file");
        Path safetensors = Files.isDirectory(original) ? original.resolve("tiny-sd15.safetensors") : original;
        Path ckpt = dir.resolve("tiny-sd15.ckpt");
        writeTwin(safetensors, ckpt, tensors -> {
            Map<String, Object> lightning = new LinkedHashMap<>();
            lightning.put("epoch", 0);
            lightning.put("global_step", 470000);
            lightning.put("state_dict", tensors);
            return lightning;
        });
        Generator generator = new Generator(Generator.byPath(), Golden.manifest().modelPath("tiny-sd15"), "test");
        float[] fromSafetensors = generate(generator, request(safetensors.toString(), "a photo of a cat"), NO_IMAGES);
        float[] fromCkpt = generate(generator, request(ckpt.toString(), "a photo of a cat"), NO_IMAGES);
        assertArrayEquals(fromSafetensors, fromCkpt);
    }

    @Test
    void aLoraPtChangesTheImageExactlyAsItsSafetensorsOriginal() throws IOException {
        Path loras = Golden.manifest().root().resolve("models/lora");
        Path pickled = Files.createDirectory(dir.resolve("loras"));
        writeTwin(loras.resolve("tiny-sd15-lora-kohya.safetensors"), pickled.resolve("tiny-sd15-lora-kohya.pt"),
                tensors -> tensors);
        String model = Golden.manifest().modelPath("tiny-sd15").toString();
        GenerationRequest tagged = request(model, "a photo of a cat <lora:tiny-sd15-lora-kohya:1>");
        float[] fromSafetensors = generate(new Generator(Generator.inFolders(List.of(loras)), null, "test"), tagged,
                NO_IMAGES);
        float[] fromPt = generate(new Generator(Generator.inFolders(List.of(pickled)), null, "test"), tagged, NO_IMAGES);
        assertArrayEquals(fromSafetensors, fromPt);
        float[] plain = generate(new Generator(Generator.byPath(), null, "test"), request(model, "a photo of a cat"),
                NO_IMAGES);
        assertFalse(java.util.Arrays.equals(plain, fromPt), "the pickled LoRA must act");
    }

    @Test
    void anIpAdapterBinOfNestedDictsPromptsExactlyAsItsSafetensorsOriginal() throws IOException {
        Path adapters = Golden.manifest().modelPath("tiny-ip-adapter-sd15").resolve("models");
        Path pickled = Files.createDirectory(dir.resolve("adapters"));
        Path encoder = Files.createDirectory(pickled.resolve("image_encoder"));
        for (String file : List.of("config.json", "model.safetensors")) {
            Files.copy(adapters.resolve("image_encoder").resolve(file), encoder.resolve(file));
        }
        writeTwin(adapters.resolve("ip-adapter_sd15.safetensors"), pickled.resolve("ip-adapter_sd15.bin"), tensors -> {
            Map<String, Object> nested = new LinkedHashMap<>();
            tensors.forEach((name, tensor) -> {
                int dot = name.indexOf('.');
                @SuppressWarnings("unchecked")
                Map<String, Object> part = (Map<String, Object>) nested.computeIfAbsent(name.substring(0, dot),
                        k -> new LinkedHashMap<String, Object>());
                part.put(name.substring(dot + 1), tensor);
            });
            assertEquals(List.of("image_proj", "ip_adapter"), List.copyOf(nested.keySet()));
            return nested;
        });
        float[] stripes = new float[3 * 48 * 40];
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = (i / 3 % 48 / 6 % 2) * 0.8f + 0.1f;
        }
        ImageSources sources = source -> new RgbImage(48, 40, stripes);
        GenerationRequest plain = request(Golden.manifest().modelPath("tiny-sd15").toString(), "a photo of a cat");
        float[] fromSafetensors = generate(new Generator(Generator.inFolders(List.of(adapters)), null, "test"),
                plain.withImagePrompt(new IpAdapterPrompt("ip-adapter_sd15.safetensors", "stripes", 0.6)), sources);
        float[] fromBin = generate(new Generator(Generator.inFolders(List.of(pickled)), null, "test"),
                plain.withImagePrompt(new IpAdapterPrompt("ip-adapter_sd15.bin", "stripes", 0.6)), sources);
        assertArrayEquals(fromSafetensors, fromBin);
    }

    @Test
    void componentFoldersWithOnlyAPytorchBinGiveTheTensorsOfTheirSafetensors() throws IOException {
        Path controlnet = Golden.manifest().modelPath("tiny-controlnet-sd15");
        Path vae = Golden.manifest().modelPath("tiny-sd15").resolve("vae");
        for (Path folder : List.of(controlnet, vae)) {
            Path twin = Files.createDirectory(dir.resolve(folder.getFileName().toString()));
            Files.copy(folder.resolve("config.json"), twin.resolve("config.json"));
            writeTwin(WeightSet.weightFile(folder), twin.resolve("diffusion_pytorch_model.bin"), tensors -> tensors);
            try (WeightSet original = WeightSet.openFolder(folder); WeightSet pickled = WeightSet.openFolder(twin)) {
                assertEquals("torch zip pickle", pickled.files().get(0).format());
                assertEquals(original.names(), pickled.names());
                for (String name : original.names()) {
                    assertEquals(original.read(name).bytes(), pickled.read(name).bytes(), name);
                }
            }
        }
    }

    /** Writes the tensors of a safetensors file as a torch pickle, in the layout {@code shape} gives them. */
    private static void writeTwin(Path safetensors, Path target, Function<Map<String, Object>, Object> shape) {
        try (SafetensorsFile file = SafetensorsFile.open(safetensors)) {
            Map<String, Object> tensors = new LinkedHashMap<>();
            file.names().forEach(name -> tensors.put(name, file.read(name)));
            TorchPickleWriter.write(target, shape.apply(tensors));
        }
    }
}
