package org.diffij.models.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.diffij.DiffijException;
import org.diffij.io.HostTensor;
import org.diffij.io.SafetensorsWriter;
import org.diffij.io.WeightSet;
import org.diffij.parity.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An SDXL checkpoint in the original (SGM) layout, written here from the tiny SDXL text encoders
 * the way OpenCLIP stores them (fused in_proj, x·P text projection), reads back as the diffusers
 * tensors exactly.
 */
class SdxlOpenClipCheckpointTest {

    @TempDir
    Path dir;

    private static final String CLIP = "conditioner.embedders.0.transformer.";
    private static final String OPEN_CLIP = "conditioner.embedders.1.model.";

    @Test
    void bothTextEncodersOfAnSdxlCheckpointMatchTheDiffusersFolder() throws Exception {
        Path sdxl = Golden.manifest().modelPath("tiny-sdxl");
        Path file = dir.resolve("sdxl.safetensors");
        try (WeightSet te1 = WeightSet.openFolder(sdxl.resolve("text_encoder"));
                WeightSet te2 = WeightSet.openFolder(sdxl.resolve("text_encoder_2"));
                WeightSet unet = WeightSet.openFolder(sdxl.resolve("unet"))) {
            Map<String, HostTensor> ldm = new LinkedHashMap<>();
            ldm.put("model.diffusion_model.time_embed.0.weight", unet.read("time_embedding.linear_1.weight"));
            for (String name : te1.names()) {
                ldm.put(CLIP + name, te1.read(name));
            }
            ldm.put(OPEN_CLIP + "token_embedding.weight", te2.read("text_model.embeddings.token_embedding.weight"));
            ldm.put(OPEN_CLIP + "positional_embedding", te2.read("text_model.embeddings.position_embedding.weight"));
            ldm.put(OPEN_CLIP + "ln_final.weight", te2.read("text_model.final_layer_norm.weight"));
            ldm.put(OPEN_CLIP + "ln_final.bias", te2.read("text_model.final_layer_norm.bias"));
            ldm.put(OPEN_CLIP + "text_projection", transposed(te2.read("text_projection.weight")));
            ldm.put(OPEN_CLIP + "logit_scale", HostTensor.scalar(4.6f));
            for (int i = 0; i < 5; i++) {
                String d = "text_model.encoder.layers." + i + ".";
                String o = OPEN_CLIP + "transformer.resblocks." + i + ".";
                for (String kind : new String[] {"weight", "bias"}) {
                    ldm.put(o + "attn.in_proj_" + kind, stacked(te2.read(d + "self_attn.q_proj." + kind),
                            te2.read(d + "self_attn.k_proj." + kind), te2.read(d + "self_attn.v_proj." + kind)));
                    ldm.put(o + "attn.out_proj." + kind, te2.read(d + "self_attn.out_proj." + kind));
                    ldm.put(o + "ln_1." + kind, te2.read(d + "layer_norm1." + kind));
                    ldm.put(o + "ln_2." + kind, te2.read(d + "layer_norm2." + kind));
                    ldm.put(o + "mlp.c_fc." + kind, te2.read(d + "mlp.fc1." + kind));
                    ldm.put(o + "mlp.c_proj." + kind, te2.read(d + "mlp.fc2." + kind));
                }
            }
            SafetensorsWriter.write(file, ldm, Map.of());
            try (SingleFileCheckpoint checkpoint = SingleFileCheckpoint.open(file, sdxl)) {
                assertEquals(CheckpointArchitecture.SDXL, checkpoint.architecture());
                assertSame(te1, checkpoint.component("text_encoder"));
                assertSame(te2, checkpoint.component("text_encoder_2"));
                assertTrue(checkpoint.ignoredKeys().contains(OPEN_CLIP + "logit_scale"));
                DiffijException e = assertThrows(DiffijException.class, () -> checkpoint.component("vae"));
                assertTrue(e.getMessage().contains("has no vae"), e.getMessage());
            }
        }
        assertTrue(Files.size(file) > 0);
    }

    private static void assertSame(WeightSet expected, RenamedWeights actual) {
        assertEquals(new TreeSet<>(expected.names()), new TreeSet<>(actual.names()));
        for (String name : expected.names()) {
            HostTensor a = expected.read(name);
            HostTensor b = actual.read(name);
            assertArrayEquals(a.shape(), b.shape(), name);
            assertArrayEquals(a.toFloatArray(), b.toFloatArray(), name);
        }
    }

    private static HostTensor transposed(HostTensor t) {
        long[] s = t.shape();
        float[] in = t.toFloatArray();
        float[] out = new float[in.length];
        for (int r = 0; r < s[0]; r++) {
            for (int c = 0; c < s[1]; c++) {
                out[(int) (c * s[0] + r)] = in[(int) (r * s[1] + c)];
            }
        }
        return HostTensor.ofFloats(out, s[1], s[0]);
    }

    private static HostTensor stacked(HostTensor q, HostTensor k, HostTensor v) {
        long[] s = q.shape();
        s[0] *= 3;
        ByteBuffer all = ByteBuffer.allocate(3 * q.bytes().remaining());
        all.put(q.bytes()).put(k.bytes()).put(v.bytes()).flip();
        return new HostTensor(q.dtype(), s, all);
    }
}
