package org.diffij.models.ipadapter;

import org.diffij.models.clip.ClipVisionModelWithProjection;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.diffij.DiffijException;
import org.diffij.engine.DiffijEngine;
import org.diffij.io.HostTensor;
import org.diffij.io.Json;
import org.diffij.io.SafetensorsWriter;
import org.diffij.io.WeightSet;
import org.diffij.models.Sd15Configs;
import org.diffij.models.unet.UNet2DConditionConfig;
import org.diffij.models.unet.UNet2DConditionModel;
import org.diffij.nn.DecoupledCrossAttention;
import org.diffij.parity.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The IP-Adapter's layer numbering, its run-time application on an unchanged UNet, and the
 * rejection of files that are not plain IP-Adapters.
 */
class IpAdapterTest {

    @TempDir
    Path dir;

    private int edits;

    private static Path adapterFile() {
        return Golden.manifest().modelPath("tiny-ip-adapter-sd15").resolve("models/ip-adapter_sd15.safetensors");
    }

    private static UNet2DConditionConfig unetConfig(String model) {
        return UNet2DConditionConfig.from(Json.readObject(Golden.manifest().modelPath(model)
                .resolve("unet/config.json")));
    }

    private static List<String> modules(UNet2DConditionConfig config) {
        return CrossAttentionLayers.of(config).stream().map(CrossAttentionLayers.Layer::module).toList();
    }

    @Test
    void crossAttentionLayersAreNumberedInAttnProcessorOrder() {
        String block = ".transformer_blocks.0.attn2";
        assertEquals(List.of("down_blocks.1.attentions.0" + block, "down_blocks.1.attentions.1" + block,
                "up_blocks.0.attentions.0" + block, "up_blocks.0.attentions.1" + block,
                "up_blocks.0.attentions.2" + block, "mid_block.attentions.0" + block),
                modules(unetConfig("tiny-sd15")));

        List<String> sd15 = modules(Sd15Configs.unet());
        assertEquals(16, sd15.size());
        assertEquals("down_blocks.0.attentions.0" + block, sd15.get(0));
        assertEquals("up_blocks.1.attentions.0" + block, sd15.get(6));
        assertEquals("mid_block.attentions.0" + block, sd15.get(15));
        assertEquals(31, CrossAttentionLayers.adapterKey(15));

        List<String> sdxl = modules(unetConfig("tiny-sdxl"));
        assertEquals(List.of("down_blocks.1.attentions.0.transformer_blocks.0.attn2",
                "down_blocks.1.attentions.0.transformer_blocks.1.attn2",
                "down_blocks.1.attentions.1.transformer_blocks.0.attn2"), sdxl.subList(0, 3));
        assertEquals(2 * 2 + 3 * 2 + 2, sdxl.size());
    }

    @Test
    void theTinyAdapterFileUsesTheseNumbers() {
        try (WeightSet weights = WeightSet.open(adapterFile())) {
            TreeSet<Integer> keys = new TreeSet<>();
            for (String name : weights.names()) {
                if (name.startsWith("ip_adapter.")) {
                    keys.add(Integer.parseInt(name.split("\\.")[1]));
                }
            }
            TreeSet<Integer> expected = new TreeSet<>();
            for (int i = 0; i < CrossAttentionLayers.of(unetConfig("tiny-sd15")).size(); i++) {
                expected.add(CrossAttentionLayers.adapterKey(i));
            }
            assertEquals(expected, keys);
        }
    }

    @Test
    void scaleZeroIsThePlainUnetAndTheBaseStaysUnchanged() {
        Path unetFolder = Golden.manifest().modelPath("tiny-sd15").resolve("unet");
        float[] differences = DiffijEngine.get().queue().run("ip-adapter scale 0", ctx -> {
            NDManager m = ctx.manager();
            DataType type = ctx.engine().computeType();
            UNet2DConditionModel unet = UNet2DConditionModel.load(unetFolder, m, type);
            IpAdapter adapter = IpAdapter.load(adapterFile(), m, type);
            NDArray sample = m.randomNormal(new Shape(2, 4, 16, 16));
            NDArray timestep = m.create(new float[] {321f});
            NDArray context = m.randomNormal(new Shape(2, 77, 32));
            NDArray tokens = adapter.imageTokens(m.randomNormal(new Shape(2, adapter.imageEmbedDim())));
            NDArray plain = unet.forward(sample, timestep, context);
            NDArray zero = DecoupledCrossAttention.applying(adapter.branches(unet.config(), tokens, 0f),
                    () -> unet.forward(sample, timestep, context));
            NDArray withImage = DecoupledCrossAttention.applying(adapter.branches(unet.config(), tokens, 0.6f),
                    () -> unet.forward(sample, timestep, context));
            NDArray again = unet.forward(sample, timestep, context);
            return new float[] {zero.sub(plain).abs().max().getFloat(), withImage.sub(plain).abs().max().getFloat(),
                    again.sub(plain).abs().max().getFloat()};
        });
        assertEquals(0f, differences[0], "scale 0 must be the plain UNet");
        assertTrue(differences[1] > 1e-3, "the image prompt changes the prediction by only " + differences[1]);
        assertEquals(0f, differences[2], "the base UNet changed after an image-prompted forward");
    }

    @Test
    void variantsAndDamagedFilesAreRejectedByName() {
        assertRejected(edited(w -> w.put("image_proj.latents", HostTensor.ofFloats(new float[4], 1, 4))),
                "image_proj.latents", "Plus");
        assertRejected(edited(w -> w.remove("ip_adapter.3.to_v_ip.weight")), "ip_adapter.3", "to_v_ip");
        assertRejected(edited(w -> {
            w.remove("ip_adapter.5.to_k_ip.weight");
            w.remove("ip_adapter.5.to_v_ip.weight");
        }), "ip_adapter.5 is missing");
        assertRejected(edited(w -> w.remove("image_proj.norm.bias")), "image_proj.norm.bias");
        assertRejected(edited(w -> w.put("ip_adapter.1.to_k_ip.weight", HostTensor.ofFloats(new float[64 * 31],
                64, 31))), "ip_adapter.1", "[64, 31]");
    }

    @Test
    void filesThatAreNotSafetensorsOrMissingAreRejected() throws Exception {
        Path pickled = Files.writeString(dir.resolve("ip-adapter_sd15.bin"), "PK not a safetensors file");
        assertRejected(pickled, "neither a safetensors file nor a torch pickle");
        assertRejected(dir.resolve("absent.safetensors"), "no such IP-Adapter file");
        DiffijException e = assertThrows(DiffijException.class,
                () -> IpAdapter.imageEncoderFolder(dir.resolve("absent.safetensors")));
        assertTrue(e.getMessage().contains("image_encoder"), e.getMessage());
    }

    @Test
    void anAdapterForAnotherBaseIsRejected() {
        String message = DiffijEngine.get().queue().run("ip-adapter other base", ctx -> {
            NDManager m = ctx.manager();
            IpAdapter adapter = IpAdapter.load(adapterFile(), m, ctx.engine().computeType());
            NDArray tokens = adapter.imageTokens(m.zeros(new Shape(1, adapter.imageEmbedDim())));
            return assertThrows(DiffijException.class, () -> adapter.branches(Sd15Configs.unet(), tokens, 1f))
                    .getMessage();
        });
        assertTrue(message.contains("another base model"), message);
    }

    @Test
    void imageEncoderRejectsPixelsOfTheWrongSize() {
        Path encoderFolder = IpAdapter.imageEncoderFolder(adapterFile());
        String message = DiffijEngine.get().queue().run("clip vision wrong size", ctx -> {
            ClipVisionModelWithProjection encoder = ClipVisionModelWithProjection.load(encoderFolder, ctx.manager(),
                    ctx.engine().computeType());
            return assertThrows(DiffijException.class,
                    () -> encoder.forward(ctx.manager().zeros(new Shape(1, 3, 48, 48)))).getMessage();
        });
        assertTrue(message.contains("(batch, 3, 32, 32)"), message);
    }

    /** The tiny adapter's tensors, edited, written to a new file. */
    private Path edited(Consumer<Map<String, HostTensor>> edit) {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        try (WeightSet weights = WeightSet.open(adapterFile())) {
            for (String name : new ArrayList<>(weights.names())) {
                tensors.put(name, weights.read(name));
            }
        }
        edit.accept(tensors);
        Path file = dir.resolve("edited-" + edits++ + ".safetensors");
        SafetensorsWriter.write(file, tensors, Map.of());
        return file;
    }

    private static void assertRejected(Path file, String... fragments) {
        DiffijException e = assertThrows(DiffijException.class, () -> DiffijEngine.get().queue().run("bad ip-adapter",
                ctx -> IpAdapter.load(file, ctx.manager(), ctx.engine().computeType())));
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), e.getMessage());
        }
    }
}
