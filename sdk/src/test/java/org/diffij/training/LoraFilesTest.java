package org.diffij.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.diffij.DiffijException;
import org.diffij.engine.DiffijEngine;
import org.diffij.engine.Tensors;
import org.diffij.image.PngFiles;
import org.diffij.image.RgbImage;
import org.diffij.io.DType;
import org.diffij.io.HostTensor;
import org.diffij.io.SafetensorsFile;
import org.diffij.models.lora.AppliedLora;
import org.diffij.models.lora.KohyaNames;
import org.diffij.models.lora.LoraAdapter;
import org.diffij.models.lora.RuntimeLora;
import org.diffij.models.unet.AddedConditions;
import org.diffij.models.unet.UNet2DConditionConfig;
import org.diffij.nn.Autograd;
import org.diffij.nn.LowRankBranches;
import org.diffij.nn.ParameterTree;
import org.diffij.parity.Golden;
import org.diffij.pipelines.StableDiffusionModel;
import org.diffij.schedulers.PredictionType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LoRA adapters with known (random, non-zero) values on the tiny golden models, written in kohya and
 * diffusers format: names as kohya writes them, every key read back by the adapter loader, and the
 * loaded files computing exactly what the adapter in memory computes.
 */
class LoraFilesTest {

    /** alpha / rank = 1/2: a power of two, so folding it into up (diffusers) changes no rounding. */
    private static final int RANK = 4;
    private static final float ALPHA = 2;
    /** LoCon on the 3×3 convolutions: alpha / rank = 1/2 as well. */
    private static final int CONV_RANK = 2;
    private static final float CONV_ALPHA = 1;

    @TempDir
    static Path dir;
    static Path data;

    @BeforeAll
    static void images() throws IOException {
        data = Files.createDirectories(dir.resolve("data/3_sks dog"));
        Random random = new Random(3);
        for (int i = 0; i < 2; i++) {
            float[] rgb = new float[32 * 32 * 3];
            for (int p = 0; p < rgb.length; p++) {
                rgb[p] = random.nextFloat();
            }
            PngFiles.write(data.resolve("image" + i + ".png"), new RgbImage(32, 32, rgb), Map.of());
            Files.writeString(data.resolve("image" + i + ".txt"), "sks dog, " + (i == 0 ? "grass" : "sofa"));
        }
    }

    static TrainingProvenance provenance(TrainingRequest request, Path model, TrainingProvenance.Family family) {
        TrainingData trainingData = TrainingData.scan(Path.of(request.data()), request.dataOptions(), "sks",
                request.seed());
        return new TrainingProvenance(request, model, "0123456789abcdef", family, PredictionType.EPSILON, 3, 10, 1,
                trainingData, 1.7e9, "test", true);
    }

    @Test
    void sd15FilesLoadBackAndActAsTheAdapterInMemory() {
        roundTrip("tiny-sd15", false);
    }

    @Test
    void sdxlFilesUseLdmNamesLoadBackAndActAsTheAdapterInMemory() {
        roundTrip("tiny-sdxl", true);
    }

    private static void roundTrip(String modelName, boolean xl) {
        Path modelPath = Golden.manifest().modelPath(modelName);
        Path output = dir.resolve(modelName + "-lora.safetensors");
        TrainingRequest request = TrainingRequest.fromMacroOptions("method=lora model=[" + modelPath + "] data=["
                + data.getParent() + "] output=[" + output + "] rank=" + RANK + " alpha=" + (int) ALPHA
                + " conv_rank=" + CONV_RANK + " conv_alpha=" + (int) CONV_ALPHA
                + " resolution=64 train_text_encoder=true formats=kohya,diffusers seed=4");
        DiffijEngine.get().queue().run("lora files", ctx -> {
            NDManager m = ctx.manager();
            StableDiffusionModel model = StableDiffusionModel.load(modelPath, m, DataType.FLOAT32);
            LoraNetwork network = knownAdapters(model, m);
            TrainingProvenance p = provenance(request, modelPath, xl ? TrainingProvenance.Family.SDXL
                    : TrainingProvenance.Family.SD1);
            List<Path> files = LoraFiles.write(network, KohyaNames.of(model.unet().config(), xl), output,
                    request.formats(), p, false);
            assertEquals(List.of(output, dir.resolve(modelName + "-lora-diffusers/pytorch_lora_weights.safetensors")),
                    files);
            checkKohyaNames(output, network, xl);
            checkKohyaMetadata(output, xl);
            try (SafetensorsFile diffusers = SafetensorsFile.open(files.get(1))) {
                assertTrue(diffusers.names().stream().allMatch(k -> k.startsWith("unet.") || k.startsWith("text_encoder")),
                        "diffusers names start with their component");
                assertFalse(diffusers.names().stream().anyMatch(k -> k.endsWith(".alpha")), "diffusers stores no alpha");
                assertTrue(diffusers.names().stream().anyMatch(k -> k.endsWith(".to_q.lora.down.weight")));
                assertTrue(diffusers.names().stream().anyMatch(k -> k.endsWith(".q_proj.lora_linear_layer.up.weight")));
                assertEquals("pt", diffusers.metadata().get("format"));
                assertTrue(diffusers.metadata().get("diffij.training_request").contains("rank=4"));
            }
            for (Path file : files) {
                assertActsAsInMemory(file, model, network, m, xl);
            }
            return null;
        });
    }

    /** Adapters on kohya's targets of every component with random down and up (up is zero when trained from scratch). */
    private static LoraNetwork knownAdapters(StableDiffusionModel model, NDManager m) {
        Map<String, ParameterTree> components = new LinkedHashMap<>();
        components.put("unet", model.unet().parameters());
        components.put("text_encoder", model.textEncoder().parameters());
        if (model.isXl()) {
            components.put("text_encoder_2", model.textEncoder2().parameters());
        }
        DiffijEngine.get().seed(21);
        LoraNetwork shapes = LoraNetwork.create(components, LoraNetwork.Targets.KOHYA,
                new LoraNetwork.Dimension(RANK, ALPHA), new LoraNetwork.Dimension(CONV_RANK, CONV_ALPHA), m);
        Map<String, NDArray> values = new LinkedHashMap<>();
        shapes.parameters().forEach((name, p) -> values.put(name, m.randomNormal(0, 0.2f, p.getShape(),
                DataType.FLOAT32)));
        LoraNetwork network = LoraNetwork.of(components, values, new LoraNetwork.Dimension(RANK, ALPHA),
                new LoraNetwork.Dimension(CONV_RANK, CONV_ALPHA), m);
        // Not trained here: forward passes outside a tape must not record for backward.
        for (LoraNetwork.Module module : network.modules()) {
            Autograd.requireGradient(module.down(), false);
            Autograd.requireGradient(module.up(), false);
        }
        return network;
    }

    private static void checkKohyaNames(Path file, LoraNetwork network, boolean xl) {
        try (SafetensorsFile kohya = SafetensorsFile.open(file)) {
            Set<String> names = kohya.names();
            assertEquals(3 * network.modules().size(), names.size(), "down, up and alpha per layer");
            List<String> prefixes = xl ? List.of("lora_unet_", "lora_te1_", "lora_te2_") : List.of("lora_unet_",
                    "lora_te_");
            for (String name : names) {
                assertTrue(prefixes.stream().anyMatch(name::startsWith), name);
                assertTrue(name.matches("[a-z0-9_]+\\.(lora_down\\.weight|lora_up\\.weight|alpha)"), name);
                if (name.startsWith("lora_unet_")) {
                    assertTrue(name.matches(xl ? "lora_unet_(input_blocks|middle_block|output_blocks)_.*"
                            : "lora_unet_(down_blocks|mid_block|up_blocks)_.*"), name);
                }
                if (name.endsWith(".alpha")) {
                    HostTensor alpha = kohya.read(name);
                    assertEquals(DType.F32, alpha.dtype());
                    assertArrayEquals(new long[0], alpha.shape(), "alpha is a scalar");
                    long[] down = kohya.info(name.replace(".alpha", ".lora_down.weight")).shape();
                    boolean kernel = down.length == 4 && down[2] == 3;
                    assertEquals(kernel ? CONV_ALPHA : ALPHA, alpha.toFloatArray()[0], name);
                    assertEquals(kernel ? CONV_RANK : RANK, down[0], name);
                }
            }
            long convolutions = network.modules().stream().filter(LoraNetwork.Module::convolution).count();
            assertEquals(convolutions, names.stream().filter(n -> n.endsWith(".lora_down.weight")
                    && kohya.info(n).shape().length == 4).count(), "convolutions as [rank, in, k, k] kernels");
            String locon = xl ? "lora_unet_input_blocks_1_0_in_layers_2" : "lora_unet_down_blocks_0_resnets_0_conv1";
            assertArrayEquals(new long[] {CONV_RANK, kohya.info(locon + ".lora_down.weight").shape()[1], 3, 3},
                    kohya.info(locon + ".lora_down.weight").shape(), "LoCon on " + locon);
            assertTrue(names.stream().anyMatch(n -> n.matches("lora_unet_.*(downsamplers_0_conv|_op)\\.lora_down\\.weight")),
                    "LoCon on the downsamplers");
        }
    }

    private static void checkKohyaMetadata(Path file, boolean xl) {
        try (SafetensorsFile kohya = SafetensorsFile.open(file)) {
            Map<String, String> metadata = kohya.metadata();
            assertEquals("networks.lora", metadata.get("ss_network_module"));
            assertEquals("4", metadata.get("ss_network_dim"));
            assertEquals("True", metadata.get("ss_gradient_checkpointing"));
            assertEquals("2.0", metadata.get("ss_network_alpha"));
            assertEquals("{\"conv_dim\":\"2\",\"conv_alpha\":\"1.0\"}", metadata.get("ss_network_args"));
            assertEquals("{\"buckets\":{\"0\":{\"resolution\":[64,64],\"count\":6}},\"mean_img_ar_error\":0.0}",
                    metadata.get("ss_bucket_info"), "2 images x 3 repeats, square like their 64x64 size");
            assertEquals(xl ? "sdxl_base_v1-0" : "sd_v1", metadata.get("ss_base_model_version"));
            assertEquals("0.0001", metadata.get("ss_learning_rate"));
            assertEquals("3", metadata.get("ss_steps"));
            assertEquals("10", metadata.get("ss_max_train_steps"));
            assertEquals("4", metadata.get("ss_seed"));
            assertEquals("6", metadata.get("ss_num_train_images"), "2 images x 3 repeats");
            assertEquals("(64, 64)", metadata.get("ss_resolution"));
            assertEquals(2, JsonParser.parseString(metadata.get("ss_tag_frequency")).getAsJsonObject()
                    .getAsJsonObject("3_sks dog").get("sks dog").getAsInt());
            assertEquals(xl ? "stable-diffusion-xl-v1-base/lora" : "stable-diffusion-v1/lora",
                    metadata.get("modelspec.architecture"));
            assertEquals("64x64", metadata.get("modelspec.resolution"));
            assertEquals("epsilon", metadata.get("modelspec.prediction_type"));
            assertTrue(metadata.get("modelspec.date").matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d"));
            assertTrue(metadata.get("diffij.training_request").contains("method=lora"));
            assertEquals(tensorDataSha256(file), metadata.get("sshs_model_hash"),
                    "the additional-networks hash is the SHA-256 of the tensor data");
            assertTrue(metadata.get("sshs_legacy_hash").matches("[0-9a-f]{8}"));
        }
    }

    private static String tensorDataSha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            long header = ByteBuffer.wrap(in.readNBytes(8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
            in.skipNBytes(header);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()));
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** UNet and text-encoder outputs with the file loaded equal those with the in-memory adapters, bit for bit. */
    private static void assertActsAsInMemory(Path file, StableDiffusionModel model, LoraNetwork network, NDManager m,
            boolean xl) {
        UNet2DConditionConfig config = model.unet().config();
        DiffijEngine.get().seed(8);
        NDArray sample = m.randomNormal(new Shape(1, config.inChannels(), 8, 8));
        NDArray timestep = m.create(new float[] {500f});
        NDArray context = m.randomNormal(new Shape(1, 77, config.crossAttentionDim()[0]));
        AddedConditions added = xl ? new AddedConditions(m.randomNormal(new Shape(1,
                config.projectionClassEmbeddingsInputDim() - 6L * config.additionTimeEmbedDim())),
                m.create(new float[] {64, 64, 0, 0, 64, 64}, new Shape(1, 6))) : null;
        NDArray ids = m.create(model.tokenizer().encodePadded("a photo of sks dog").ids(), new Shape(1, 77));
        List<String> components = new ArrayList<>(List.of("unet", "text_encoder"));
        if (xl) {
            components.add("text_encoder_2");
        }
        model.withStoredWeights(base -> {
            LoraAdapter adapter = LoraAdapter.read(file, base);
            for (String component : components) {
                assertEquals(network.branches(component, 1f).keySet(), adapter.layers(component).keySet(),
                        file.getFileName() + ": every layer of " + component + " read back");
                RuntimeLora loaded = RuntimeLora.of(List.of(new AppliedLora(adapter, 1f)), component,
                        base.get(component), m, DataType.FLOAT32);
                java.util.function.Supplier<NDArray> forward = switch (component) {
                    case "unet" -> () -> model.unet().forward(sample, timestep, context, added, null);
                    case "text_encoder" -> () -> model.textEncoder().forward(ids).lastHiddenState();
                    default -> () -> model.textEncoder2().forward(ids).lastHiddenState();
                };
                float[] inMemory = Tensors.toHost(LowRankBranches.applying(network.branches(component, 1f), forward))
                        .toFloatArray();
                float[] fromFile = Tensors.toHost(loaded.applying(forward)).toFloatArray();
                float[] plain = Tensors.toHost(forward.get()).toFloatArray();
                assertFalse(java.util.Arrays.equals(plain, inMemory), component + ": the adapters change the output");
                assertArrayEquals(inMemory, fromFile, 0f, file.getFileName() + ", " + component);
            }
            return null;
        });
    }

    @Test
    void anExistingFileIsNeverReplacedUnlessAsked() throws IOException {
        Path modelPath = Golden.manifest().modelPath("tiny-sd15");
        Path output = Files.writeString(dir.resolve("taken-lora.safetensors"), "precious");
        TrainingRequest request = TrainingRequest.fromMacroOptions("method=lora model=[" + modelPath + "] data=["
                + data.getParent() + "] output=[" + output + "] resolution=64");
        DiffijEngine.get().queue().run("lora overwrite", ctx -> {
            StableDiffusionModel model = StableDiffusionModel.load(modelPath, ctx.manager(), DataType.FLOAT32);
            LoraNetwork network = knownAdapters(model, ctx.manager());
            KohyaNames names = KohyaNames.of(model.unet().config(), false);
            TrainingProvenance p = provenance(request, modelPath, TrainingProvenance.Family.SD1);
            DiffijException refused = assertThrows(DiffijException.class, () -> LoraFiles.write(network, names, output,
                    List.of("kohya"), p, false));
            assertTrue(refused.getMessage().contains("already exists"), refused.getMessage());
            assertEquals("precious", Files.readString(output));
            Path fresh = dir.resolve("fresh-lora.safetensors");
            Path beside = Files.createDirectories(dir.resolve("fresh-lora-diffusers")).resolve(
                    "pytorch_lora_weights.safetensors");
            Files.writeString(beside, "precious too");
            assertThrows(DiffijException.class, () -> LoraFiles.write(network, names, fresh,
                    List.of("kohya", "diffusers"), p, false));
            assertFalse(Files.exists(fresh), "nothing is written when a later format's file exists");
            assertEquals("precious too", Files.readString(beside));
            LoraFiles.write(network, names, output, List.of("kohya"), p, true);
            try (SafetensorsFile replaced = SafetensorsFile.open(output)) {
                assertEquals("networks.lora", replaced.metadata().get("ss_network_module"));
            }
            return null;
        });
    }

    @Test
    void theFirstFormatMustSuitTheOutputsExtension() {
        DiffijException wrong = assertThrows(DiffijException.class, () -> LoraFiles.files(dir.resolve("cat.pt"),
                List.of("kohya")));
        assertTrue(wrong.getMessage().contains("writes a .safetensors file; name the output cat.safetensors"),
                wrong.getMessage());
    }

    @Test
    void aTrainingRunWritesEveryFormatAndChecksTheirFilesBeforeItsFirstStep() throws IOException {
        Path modelPath = Golden.manifest().modelPath("tiny-sd15");
        Path output = dir.resolve("trained.safetensors");
        String options = "method=lora model=[" + modelPath + "] data=[" + data.getParent() + "] output=[" + output
                + "] resolution=64 steps=2 save_every=1 lr=1e-2 formats=kohya,diffusers";
        Path besideStep = Files.createDirectories(dir.resolve("trained-step00000001-diffusers")).resolve(
                "pytorch_lora_weights.safetensors");
        Files.writeString(besideStep, "precious");
        Trainer trainer = new Trainer(org.diffij.pipelines.Generator.byPath(), null, "test");
        Exception refused = assertThrows(Exception.class, () -> trainer.submit(TrainingRequest.fromMacroOptions(
                options), null, false, null, null).await());
        assertTrue(refused.getMessage().contains(besideStep + " already exists"), refused.getMessage());
        assertFalse(Files.exists(dir.resolve("trained-step00000001.safetensors")), "refused before the first step");
        Files.delete(besideStep);

        Trainer.Result result = trainer.submit(TrainingRequest.fromMacroOptions(options), null, false, null, null)
                .await();
        assertEquals(List.of(output, dir.resolve("trained-diffusers/pytorch_lora_weights.safetensors")),
                result.outputs());
        assertTrue(Files.exists(besideStep), "the step file of every format");
        try (SafetensorsFile kohya = SafetensorsFile.open(output)) {
            assertEquals("2", kohya.metadata().get("ss_steps"));
            assertEquals("2", kohya.metadata().get("ss_max_train_steps"));
            assertEquals("1", kohya.metadata().get("ss_epoch"));
            assertTrue(kohya.names().stream().allMatch(n -> n.startsWith("lora_unet_")), "UNet only by default");
        }
        try (SafetensorsFile step = SafetensorsFile.open(dir.resolve("trained-step00000001.safetensors"))) {
            assertEquals("1", step.metadata().get("ss_steps"));
        }
        assertEquals(List.of("kohya"), TrainingRequest.fromMacroOptions("method=lora model=m data=d").formats(),
                "kohya is the default LoRA format");
    }
}
