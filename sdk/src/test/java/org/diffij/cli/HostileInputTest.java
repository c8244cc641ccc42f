package org.diffij.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;
import org.diffij.image.PngFiles;
import org.diffij.image.RgbImage;
import org.diffij.io.DType;
import org.diffij.io.HostTensor;
import org.diffij.io.SafetensorsWriter;
import org.diffij.io.WeightSet;
import org.diffij.parity.Golden;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile-input corpus, built here from the golden tiny models: broken prompts, images,
 * special files, model configs, adapter tensors and JSON each make the command line exit 2 with
 * one line naming the input, no exception class name and no stack trace, within 60 s, writing
 * nothing. One dynamic test per corpus entry, grouped by class.
 */
class HostileInputTest {

    /** What must never appear in a message: exception class names, packages, stack frames. */
    private static final Pattern LEAK = Pattern.compile(
            "[A-Za-z]+(Exception|Error)\\b|\\bjava\\.|\\bcom\\.google\\.|\\bai\\.djl\\.|\\n\\s*at ");
    private static final String[] SMALL = {"--width", "64", "--height", "64", "--steps", "2"};

    @TempDir
    Path dir;

    private Path tiny() {
        return Golden.manifest().modelPath("tiny-sd15");
    }

    @TestFactory
    Stream<DynamicTest> prompts() {
        String tags = "<lora:missing:1> ".repeat(1000);
        Map<String, String> corpus = new LinkedHashMap<>();
        corpus.put("10,000 nested (", "(".repeat(10_000) + "cat");
        corpus.put("10,000 nested [", "[".repeat(10_000) + "cat");
        corpus.put("10,000 BREAK", "a BREAK ".repeat(10_000));
        corpus.put("1,000 BREAK (too many chunks)", "a BREAK ".repeat(1_000));
        corpus.put("1 MB prompt", "cat ".repeat(262_144));
        corpus.put("NUL", "a\u0000cat");
        corpus.put("control character", "a\u0007cat");
        corpus.put("undecodable bytes", "a \uFFFD cat");
        corpus.put("lone surrogate", "a \uD800 cat");
        corpus.put("1,000 <lora> tags", tags);
        List<DynamicTest> tests = new ArrayList<>();
        corpus.forEach((name, prompt) -> {
            tests.add(DynamicTest.dynamicTest("generate: " + name, () -> rejected("generate", "--model",
                    tiny().toString(), "--prompt", prompt)));
            tests.add(DynamicTest.dynamicTest("encode: " + name, () -> rejected("encode", "--model",
                    tiny().toString(), "--prompt", prompt)));
        });
        tests.add(DynamicTest.dynamicTest("negative prompt: 10,000 nested (", () -> rejected("generate", "--model",
                tiny().toString(), "--prompt", "cat", "--negative", "(".repeat(10_000))));
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> images() throws IOException {
        Map<String, Path> corpus = new LinkedHashMap<>();
        corpus.put("PNG header claiming 30000x30000", write("bomb.png", png(30_000, 30_000)));
        corpus.put("PNG header claiming 0x0", write("zero.png", png(0, 0)));
        corpus.put("truncated PNG", write("truncated.png", Arrays.copyOf(png(64, 64), 40)));
        corpus.put("random bytes named .png", write("noise.png", "not an image at all".getBytes(StandardCharsets.UTF_8)));
        corpus.put("empty file", write("empty.png", new byte[0]));
        corpus.put("a folder", Files.createDirectories(dir.resolve("folder.png")));
        Path good = dir.resolve("good.png");
        PngFiles.write(good, new RgbImage(64, 64, new float[3 * 64 * 64]), Map.of());
        List<DynamicTest> tests = new ArrayList<>();
        corpus.forEach((name, image) -> {
            tests.add(DynamicTest.dynamicTest("init: " + name, () -> rejected("generate", "--model",
                    tiny().toString(), "--prompt", "cat", "--init", image.toString(), "--strength", "0.5")));
            tests.add(DynamicTest.dynamicTest("mask: " + name, () -> rejected("generate", "--model",
                    tiny().toString(), "--prompt", "cat", "--init", good.toString(), "--mask", image.toString())));
        });
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> specialFiles() throws Exception {
        Map<String, Path> corpus = new LinkedHashMap<>();
        Path fifo = dir.resolve("fifo");
        boolean made = new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0;
        if (made) {
            corpus.put("a FIFO", fifo);
        }
        for (String device : List.of("/dev/zero", "/dev/urandom", "/proc/self/environ", "/proc/1/mem")) {
            if (Files.exists(Path.of(device))) {
                corpus.put(device, Path.of(device));
            }
        }
        assumeTrue(!corpus.isEmpty(), "no special files on this system");
        List<DynamicTest> tests = new ArrayList<>();
        corpus.forEach((name, path) -> {
            tests.add(DynamicTest.dynamicTest("model: " + name, () -> rejected("generate", "--model",
                    path.toString(), "--prompt", "cat")));
            tests.add(DynamicTest.dynamicTest("init image: " + name, () -> rejected("generate", "--model",
                    tiny().toString(), "--prompt", "cat", "--init", path.toString(), "--strength", "0.5")));
            tests.add(DynamicTest.dynamicTest("inspect: " + name, () -> rejected("inspect", path.toString())));
            tests.add(DynamicTest.dynamicTest("embedding: " + name, () -> rejected("encode", "--model",
                    tiny().toString(), "--prompt", "cat", "--embedding", path.toString())));
        });
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> modelConfigs() {
        Map<String, Consumer<JsonObject>> unet = new LinkedHashMap<>();
        unet.put("zero levels", c -> {
            c.add("block_out_channels", new JsonArray());
            c.add("down_block_types", new JsonArray());
            c.add("up_block_types", new JsonArray());
        });
        unet.put("attention_head_dim 0", c -> c.addProperty("attention_head_dim", 0));
        unet.put("norm_num_groups 0", c -> c.addProperty("norm_num_groups", 0));
        unet.put("norm_num_groups not dividing the channels", c -> c.addProperty("norm_num_groups", 7));
        unet.put("heads not dividing the channels", c -> c.addProperty("attention_head_dim", 5));
        unet.put("channels 10^9", c -> c.add("block_out_channels", numbers(1_000_000_000, 1_000_000_000)));
        unet.put("channels too large for memory", c -> {
            c.add("block_out_channels", numbers(16_384, 16_384, 16_384, 16_384));
            c.add("down_block_types", strings("CrossAttnDownBlock2D", 4));
            c.add("up_block_types", strings("CrossAttnUpBlock2D", 4));
            c.addProperty("layers_per_block", 64);
            c.addProperty("norm_num_groups", 32);
            c.addProperty("attention_head_dim", 8);
        });
        unet.put("string where a number belongs", c -> c.addProperty("in_channels", "four"));
        unet.put("fraction where a whole number belongs", c -> c.addProperty("layers_per_block", 1.5));
        unet.put("object where a string belongs", c -> c.add("down_block_types", objects(2)));
        unet.put("object where a number belongs", c -> c.add("cross_attention_dim", new JsonObject()));
        unet.put("unknown block type", c -> c.add("down_block_types", strings("Nonsense", 2)));
        unet.put("even kernel", c -> c.addProperty("conv_in_kernel", 4));
        unet.put("negative layers", c -> c.addProperty("layers_per_block", -1));
        unet.put("per-level list of the wrong length", c -> c.add("layers_per_block", numbers(1, 2, 3)));
        unet.put("NaN-like epsilon", c -> c.addProperty("norm_eps", -1));
        Map<String, Consumer<JsonObject>> vae = new LinkedHashMap<>();
        vae.put("zero levels", c -> {
            c.add("block_out_channels", new JsonArray());
            c.add("down_block_types", new JsonArray());
            c.add("up_block_types", new JsonArray());
        });
        vae.put("norm_num_groups 0", c -> c.addProperty("norm_num_groups", 0));
        vae.put("latent_channels a string", c -> c.addProperty("latent_channels", "4"));
        vae.put("scaling_factor 0", c -> c.addProperty("scaling_factor", 0));
        Map<String, Consumer<JsonObject>> text = new LinkedHashMap<>();
        text.put("heads 0", c -> c.addProperty("num_attention_heads", 0));
        text.put("hidden size an object", c -> c.add("hidden_size", new JsonObject()));
        text.put("hidden size not divisible by heads", c -> c.addProperty("num_attention_heads", 5));
        text.put("vocabulary 10^9", c -> c.addProperty("vocab_size", 1_000_000_000));
        text.put("unknown activation", c -> c.addProperty("hidden_act", "relu6"));
        List<DynamicTest> tests = new ArrayList<>();
        unet.forEach((name, edit) -> tests.add(configTest("unet: " + name, "unet/config.json", edit)));
        vae.forEach((name, edit) -> tests.add(configTest("vae: " + name, "vae/config.json", edit)));
        text.forEach((name, edit) -> tests.add(configTest("text encoder: " + name, "text_encoder/config.json", edit)));
        tests.add(configTest("tokenizer: an object as a vocabulary id", "tokenizer/vocab.json",
                c -> c.add("cat</w>", new JsonObject())));
        tests.add(configTest("tokenizer: model_max_length a list", "tokenizer/tokenizer_config.json",
                c -> c.add("model_max_length", numbers(1, 2))));
        Map<String, Consumer<JsonObject>> controlNet = new LinkedHashMap<>();
        controlNet.put("empty conditioning_embedding_out_channels",
                c -> c.add("conditioning_embedding_out_channels", new JsonArray()));
        controlNet.put("norm_num_groups 0", c -> c.addProperty("norm_num_groups", 0));
        controlNet.put("conditioning_channels a string", c -> c.addProperty("conditioning_channels", "3"));
        controlNet.forEach((name, edit) -> tests.add(DynamicTest.dynamicTest("controlnet: " + name, () -> {
            Path source = Golden.manifest().modelPath("tiny-controlnet-sd15");
            Path copy = Files.createDirectories(dir.resolve("controlnet-" + Math.abs(name.hashCode())));
            Files.createSymbolicLink(copy.resolve("diffusion_pytorch_model.safetensors"),
                    source.resolve("diffusion_pytorch_model.safetensors").toAbsolutePath());
            JsonObject json = JsonParser.parseString(Files.readString(source.resolve("config.json"))).getAsJsonObject();
            edit.accept(json);
            Files.writeString(copy.resolve("config.json"), json.toString());
            Path control = dir.resolve("control.png");
            PngFiles.write(control, new RgbImage(64, 64, new float[3 * 64 * 64]), Map.of());
            String err = rejected("generate", "--model", tiny().toString(), "--prompt", "cat", "--control",
                    "canny=" + control, "--controlnet", "canny=" + copy);
            assertTrue(err.contains(copy.toString()), "names the ControlNet: " + err);
        })));
        tests.add(configTest("model_index: object where a component belongs", "model_index.json",
                c -> c.add("unet", objects(1).get(0))));
        tests.add(configTest("model_index: class name a number", "model_index.json", c -> {
            JsonArray spec = new JsonArray();
            spec.add("diffusers");
            spec.add(3);
            c.add("unet", spec);
        }));
        tests.add(configTest("model_index: force_zeros a string", "model_index.json",
                c -> c.addProperty("force_zeros_for_empty_prompt", "yes")));
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> json() {
        Map<String, String> corpus = new LinkedHashMap<>();
        corpus.put("truncated", "{\"in_channels\": [");
        corpus.put("missing colon", "{\"in_channels\" 4}");
        corpus.put("a list, not an object", "[1, 2]");
        corpus.put("empty", "");
        corpus.put("deeply nested", "{\"a\":" + "[".repeat(100_000));
        List<DynamicTest> tests = new ArrayList<>();
        corpus.forEach((name, content) -> tests.add(DynamicTest.dynamicTest("unet config: " + name, () -> {
            Path model = twin("json-" + Math.abs(name.hashCode()));
            Files.writeString(model.resolve("unet/config.json"), content);
            String err = rejected("generate", "--model", model.toString(), "--prompt", "cat");
            assertTrue(err.contains("config.json"), "names the file: " + err);
        })));
        byte[] latin1 = "{\"a\": \"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
        tests.add(DynamicTest.dynamicTest("unet config: not UTF-8", () -> {
            Path model = twin("json-latin1");
            Files.write(model.resolve("unet/config.json"), latin1);
            assertTrue(rejected("generate", "--model", model.toString(), "--prompt", "cat").contains("UTF-8"));
        }));
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> adapterTensors() throws IOException {
        Path lora = Golden.manifest().root().resolve("models/lora/tiny-sd15-lora-kohya.safetensors");
        Map<String, HostTensor> base = new LinkedHashMap<>();
        try (WeightSet weights = WeightSet.open(lora)) {
            for (String name : weights.names()) {
                base.put(name, weights.read(name));
            }
        }
        String layer = base.keySet().stream().filter(n -> n.startsWith("lora_unet_") && n.endsWith(".lora_down.weight"))
                .findFirst().orElseThrow().replace(".lora_down.weight", "");
        String down = layer + ".lora_down.weight";
        String up = layer + ".lora_up.weight";
        String alpha = layer + ".alpha";
        long[] downShape = base.get(down).shape();
        long[] upShape = base.get(up).shape();
        Map<String, Consumer<Map<String, HostTensor>>> corpus = new LinkedHashMap<>();
        corpus.put("alpha NaN", t -> t.put(alpha, HostTensor.scalar(Float.NaN)));
        corpus.put("alpha Inf", t -> t.put(alpha, HostTensor.scalar(Float.POSITIVE_INFINITY)));
        corpus.put("alpha 1e30", t -> t.put(alpha, HostTensor.scalar(1e30f)));
        corpus.put("alpha a vector", t -> t.put(alpha, HostTensor.ofFloats(new float[3], 3)));
        corpus.put("alpha empty", t -> t.put(alpha, HostTensor.ofFloats(new float[0], 0)));
        corpus.put("rank 0", t -> {
            t.put(down, zeros(0, downShape[1], downShape[2], downShape[3]));
            t.put(up, zeros(upShape[0], 0, upShape[2], upShape[3]));
        });
        corpus.put("up/down rank mismatch", t -> t.put(up, zeros(upShape[0], upShape[1] + 1, upShape[2], upShape[3])));
        corpus.put("1-D weights", t -> {
            t.put(down, zeros(HostTensor.numel(downShape)));
            t.put(up, zeros(HostTensor.numel(upShape)));
        });
        corpus.put("a scalar where a matrix belongs", t -> t.put(down, HostTensor.scalar(1)));
        corpus.put("integer dtype", t -> t.put(down, new HostTensor(DType.I32, downShape,
                ByteBuffer.allocate(4 * (int) HostTensor.numel(downShape)).order(ByteOrder.LITTLE_ENDIAN))));
        corpus.put("wrong shape for the layer", t -> t.put(down, zeros(downShape[0], downShape[1] * 2, downShape[2],
                downShape[3])));
        corpus.put("NaN values", t -> t.put(down, filled(Float.NaN, downShape)));
        corpus.put("infinite values", t -> t.put(down, filled(Float.NEGATIVE_INFINITY, downShape)));
        corpus.put("values 3e38", t -> t.put(down, filled(3e38f, downShape)));
        corpus.put("a LoRA for another base model", t -> {
            for (String name : List.copyOf(t.keySet())) {
                if (name.contains("down_blocks_1")) {
                    t.put(name.replace("down_blocks_1", "down_blocks_7"), t.remove(name));
                }
            }
        });
        Path loras = Files.createDirectories(dir.resolve("loras"));
        List<DynamicTest> tests = new ArrayList<>();
        int index = 0;
        for (Map.Entry<String, Consumer<Map<String, HostTensor>>> entry : corpus.entrySet()) {
            String name = "bad" + index++;
            Map<String, HostTensor> tensors = new LinkedHashMap<>(base);
            entry.getValue().accept(tensors);
            SafetensorsWriter.write(loras.resolve(name + ".safetensors"), tensors, Map.of());
            tests.add(DynamicTest.dynamicTest("LoRA: " + entry.getKey(), () -> {
                String err = rejected("generate", "--model", tiny().toString(), "--prompt", "cat <lora:" + name + ":1>",
                        "--models-dir", loras.toString());
                assertTrue(err.contains(name), "names the file: " + err);
            }));
        }
        Path ipSource = Golden.manifest().root().resolve("models/tiny-ip-adapter-sd15/models");
        Map<String, HostTensor> ipBase = new LinkedHashMap<>();
        try (WeightSet weights = WeightSet.open(ipSource.resolve("ip-adapter_sd15.safetensors"))) {
            for (String name : weights.names()) {
                ipBase.put(name, weights.read(name));
            }
        }
        String toK = ipBase.keySet().stream().filter(n -> n.endsWith("to_k_ip.weight")).findFirst().orElseThrow();
        Map<String, Consumer<Map<String, HostTensor>>> ipCorpus = new LinkedHashMap<>();
        ipCorpus.put("NaN values", t -> t.put(toK, filled(Float.NaN, t.get(toK).shape())));
        ipCorpus.put("integer projection", t -> t.put("image_proj.proj.weight", new HostTensor(DType.I32,
                t.get("image_proj.proj.weight").shape(), ByteBuffer.allocate(4 * (int) t.get("image_proj.proj.weight")
                        .numel()))));
        ipCorpus.put("wrong key shape", t -> t.put(toK, zeros(3, 5)));
        for (Map.Entry<String, Consumer<Map<String, HostTensor>>> entry : ipCorpus.entrySet()) {
            Path folder = Files.createDirectories(dir.resolve("ip-" + tests.size()));
            Files.createSymbolicLink(folder.resolve("image_encoder"), ipSource.resolve("image_encoder").toAbsolutePath());
            Map<String, HostTensor> tensors = new LinkedHashMap<>(ipBase);
            entry.getValue().accept(tensors);
            Path file = folder.resolve("ip-adapter.safetensors");
            SafetensorsWriter.write(file, tensors, Map.of());
            Path image = dir.resolve("ip-image.png");
            PngFiles.write(image, new RgbImage(64, 64, new float[3 * 64 * 64]), Map.of());
            tests.add(DynamicTest.dynamicTest("IP-Adapter: " + entry.getKey(), () -> {
                String err = rejected("generate", "--model", tiny().toString(), "--prompt", "cat", "--ip-adapter",
                        file.toString(), "--ip-image", image.toString());
                assertTrue(err.contains("ip-adapter.safetensors: ") && err.contains("to_k_ip")
                        || err.contains("image_proj"), "names the file and key: " + err);
            }));
        }
        Map<String, HostTensor> embeddings = new LinkedHashMap<>();
        embeddings.put("NaN values", filled(Float.NaN, 2, 32));
        embeddings.put("integer dtype", new HostTensor(DType.I64, new long[] {2, 32}, ByteBuffer.allocate(8 * 64)));
        embeddings.put("wrong width", zeros(2, 48));
        embeddings.put("100 vectors", zeros(100, 32));
        embeddings.put("empty", zeros(0, 32));
        embeddings.forEach((what, tensor) -> {
            Path file = dir.resolve("embedding-" + tests.size() + ".safetensors");
            SafetensorsWriter.write(file, Map.of("emb_params", tensor), Map.of());
            tests.add(DynamicTest.dynamicTest("embedding: " + what, () -> rejected("encode", "--model",
                    tiny().toString(), "--prompt", "embedding cat", "--embedding", file.toString())));
        });
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> controlNetWeights() throws IOException {
        Path source = Golden.manifest().modelPath("tiny-controlnet-sd15");
        Map<String, HostTensor> base = new LinkedHashMap<>();
        try (WeightSet weights = WeightSet.openFolder(source)) {
            for (String name : weights.names()) {
                base.put(name, weights.read(name));
            }
        }
        String zeroConv = "controlnet_down_blocks.0.weight";
        String convIn = "conv_in.weight";
        long[] zeroShape = base.get(zeroConv).shape();
        Map<String, Consumer<Map<String, HostTensor>>> weights = new LinkedHashMap<>();
        weights.put("NaN values", t -> t.put(zeroConv, filled(Float.NaN, zeroShape)));
        weights.put("infinite values", t -> t.put(convIn, filled(Float.POSITIVE_INFINITY, t.get(convIn).shape())));
        weights.put("integer dtype", t -> t.put(zeroConv, new HostTensor(DType.I32, zeroShape,
                ByteBuffer.allocate(4 * (int) HostTensor.numel(zeroShape)).order(ByteOrder.LITTLE_ENDIAN))));
        weights.put("wrong shape", t -> t.put(zeroConv, zeros(zeroShape[0] + 1, zeroShape[1], 1, 1)));
        weights.put("missing key", t -> t.remove(zeroConv));
        Map<String, Consumer<JsonObject>> configs = new LinkedHashMap<>();
        configs.put("other layers per block", c -> c.addProperty("layers_per_block", 1));
        configs.put("other text width", c -> c.addProperty("cross_attention_dim", 64));
        configs.put("inpainting input channels", c -> c.addProperty("in_channels", 9));
        JsonObject config = JsonParser.parseString(Files.readString(source.resolve("config.json"))).getAsJsonObject();
        Path control = dir.resolve("control.png");
        PngFiles.write(control, new RgbImage(64, 64, new float[3 * 64 * 64]), Map.of());
        List<DynamicTest> tests = new ArrayList<>();
        weights.forEach((name, edit) -> {
            Path copy = dir.resolve("controlnet-weights-" + tests.size());
            Map<String, HostTensor> tensors = new LinkedHashMap<>(base);
            edit.accept(tensors);
            String key = base.keySet().stream().filter(k -> tensors.get(k) != base.get(k)).findFirst().orElseThrow();
            tests.add(DynamicTest.dynamicTest("ControlNet weights: " + name, () -> {
                Files.createDirectories(copy);
                Files.writeString(copy.resolve("config.json"), config.toString());
                SafetensorsWriter.write(copy.resolve("diffusion_pytorch_model.safetensors"), tensors, Map.of());
                String err = rejected("generate", "--model", tiny().toString(), "--prompt", "cat", "--control",
                        "canny=" + control, "--controlnet", "canny=" + copy);
                assertTrue(err.contains(copy.toString()) && err.contains(key), "names the folder and key: " + err);
            }));
        });
        configs.forEach((name, edit) -> {
            Path copy = dir.resolve("controlnet-base-" + tests.size());
            tests.add(DynamicTest.dynamicTest("ControlNet for another UNet: " + name, () -> {
                Files.createDirectories(copy);
                Files.createSymbolicLink(copy.resolve("diffusion_pytorch_model.safetensors"),
                        source.resolve("diffusion_pytorch_model.safetensors").toAbsolutePath());
                JsonObject edited = config.deepCopy();
                edit.accept(edited);
                Files.writeString(copy.resolve("config.json"), edited.toString());
                String err = rejected("generate", "--model", tiny().toString(), "--prompt", "cat", "--control",
                        "canny=" + control, "--controlnet", "canny=" + copy);
                assertTrue(err.contains(copy.getFileName() + " belongs to another base model"), err);
            }));
        });
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> trainingOptions() {
        String[][] corpus = {
            {"lora", "steps", "-1"}, {"lora", "steps", "99999999999"}, {"lora", "steps", "20000000"},
            {"lora", "epochs", "-1"}, {"lora", "batch", "0"}, {"lora", "batch", "100000"},
            {"lora", "gradient-accumulation", "0"}, {"lora", "lr", "-1"}, {"lora", "lr", "NaN"}, {"lora", "lr", "5"},
            {"lora", "lr-text-encoder", "Infinity"}, {"lora", "warmup-steps", "-5"}, {"lora", "lr-cycles", "0"},
            {"lora", "lr-power", "-1"}, {"lora", "seed", "-5"}, {"lora", "noise-offset", "2"},
            {"lora", "min-snr-gamma", "-1"}, {"lora", "max-grad-norm", "Infinity"}, {"lora", "save-every", "-1"},
            {"lora", "sample-every", "-1"}, {"lora", "checkpoint-every", "-1"}, {"lora", "eps", "0"},
            {"lora", "weight-decay", "-1"}, {"lora", "betas", "1,2"}, {"lora", "rank", "0"}, {"lora", "rank", "5000"},
            {"lora", "alpha", "Infinity"}, {"lora", "alpha", "1e9"}, {"lora", "conv-rank", "-1"},
            {"lora", "conv-alpha", "0"}, {"lora", "resolution", "50"}, {"lora", "resolution", "100000"},
            {"lora", "resolution", "100"}, {"lora", "keep-tokens", "-1"}, {"lora", "caption-dropout", "1.5"},
            {"lora", "bucket-step", "0"}, {"lora", "max-bucket", "100000"}, {"ti", "vectors", "0"},
            {"ti", "vectors", "500"}, {"dreambooth", "num-class-images", "0"},
            {"dreambooth", "prior-loss-weight", "NaN"},
        };
        Path data = dir.resolve("train-data");
        List<DynamicTest> tests = new ArrayList<>();
        for (String[] probe : corpus) {
            String method = probe[0];
            String key = probe[1];
            tests.add(DynamicTest.dynamicTest("train " + method + " --" + key + " " + probe[2], () -> {
                Files.createDirectories(data);
                Path out = dir.resolve("trained-" + System.nanoTime() + ".safetensors");
                List<String> args = new ArrayList<>(List.of("train", method, "--model", tiny().toString(), "--data",
                        data.toString(), "--output", out.toString(), "--" + key, probe[2]));
                if (method.equals("ti")) {
                    args.addAll(List.of("--token", "my-cat", "--init-word", "cat"));
                }
                String err = rejected(args.toArray(String[]::new));
                String name = key.replace('-', '_');
                assertTrue(err.contains(name.equals("betas") ? "betas" : name + " must"), "names the key: " + err);
                assertTrue(err.matches(".*(\\d\\.\\.\\d|[\\[(]\\d|multiple of|at most).*"), "gives the range: " + err);
                assertFalse(Files.exists(out), "nothing written");
            }));
        }
        return tests.stream();
    }

    @Test
    void aFloat32TiffInitImageWorks() throws IOException {
        int side = 64;
        ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_FLOAT);
        WritableRaster raster = model.createCompatibleWritableRaster(side, side);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                raster.setSample(x, y, 0, -3.5f + 0.25f * x);
            }
        }
        Path tiff = dir.resolve("float32.tif");
        assertTrue(ImageIO.write(new BufferedImage(model, raster, false, null), "tiff", tiff.toFile()));
        Path out = dir.resolve("from-tiff.png");
        CliRun run = CliRun.of(concat(new String[] {"generate", "--model", tiny().toString(), "--prompt", "cat",
            "--init", tiff.toString(), "--strength", "0.5", "--out", out.toString()}, SMALL));
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(Files.exists(out));
    }

    /** Runs the command line and checks the rejection; returns the message. */
    private String rejected(String... args) {
        Path out = dir.resolve("never-" + System.nanoTime() + ".png");
        String[] full = args[0].equals("generate") ? concat(concat(args, SMALL), new String[] {"--out", out.toString()})
                : args;
        CliRun run = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> CliRun.of(full));
        String err = run.err().strip();
        assertEquals(2, run.exitCode(), err + "\n" + run.out());
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("diffij"), err);
        assertFalse(LEAK.matcher(err).find(), "no exception names or stack frames: " + err);
        assertTrue(err.length() < 1_000, "a short line: " + err.length() + " characters");
        assertFalse(Files.exists(out), "nothing written");
        return err;
    }

    private DynamicTest configTest(String name, String file, Consumer<JsonObject> edit) {
        return DynamicTest.dynamicTest(name, () -> {
            Path model = twin("config-" + Math.abs(name.hashCode()));
            Path config = model.resolve(file);
            JsonObject json = JsonParser.parseString(Files.readString(config)).getAsJsonObject();
            edit.accept(json);
            Files.writeString(config, new GsonBuilder().create().toJson(json));
            String err = rejected("generate", "--model", model.toString(), "--prompt", "cat");
            assertTrue(err.contains(model.toString()), "names the model's file: " + err);
        });
    }

    /** A copy of the golden tiny SD1.5 folder (configs copied, weights linked). */
    private Path twin(String name) throws IOException {
        Path source = tiny();
        Path target = dir.resolve(name);
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : files.toList()) {
                Path copy = target.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(copy);
                } else if (file.toString().endsWith(".safetensors")) {
                    Files.createSymbolicLink(copy, file.toAbsolutePath());
                } else {
                    Files.copy(file, copy);
                }
            }
        }
        return target;
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    /** A PNG whose header claims the size, with one row of real (zero) data: a decompression bomb's shape. */
    private static byte[] png(int width, int height) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer header = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", header.array());
        Deflater deflater = new Deflater();
        deflater.setInput(new byte[3 * Math.max(width, 1) + 1]);
        deflater.finish();
        byte[] compressed = new byte[1 << 20];
        int length = deflater.deflate(compressed);
        chunk(out, "IDAT", Arrays.copyOf(compressed, length));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        out.write(ByteBuffer.allocate(4).putInt(data.length).array());
        out.write(typeBytes);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    private static HostTensor zeros(long... shape) {
        return filled(0, shape);
    }

    private static HostTensor filled(float value, long... shape) {
        float[] values = new float[(int) HostTensor.numel(shape)];
        Arrays.fill(values, value);
        return HostTensor.ofFloats(values, shape);
    }

    private static JsonArray numbers(int... values) {
        JsonArray array = new JsonArray();
        for (int v : values) {
            array.add(v);
        }
        return array;
    }

    private static JsonArray strings(String value, int count) {
        JsonArray array = new JsonArray();
        for (int i = 0; i < count; i++) {
            array.add(value);
        }
        return array;
    }

    private static JsonArray objects(int count) {
        JsonArray array = new JsonArray();
        for (int i = 0; i < count; i++) {
            JsonObject o = new JsonObject();
            o.addProperty("a", 1);
            array.add(o);
        }
        return array;
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
