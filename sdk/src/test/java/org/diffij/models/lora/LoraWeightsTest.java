package org.diffij.models.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.diffij.DiffijException;
import org.diffij.engine.DiffijEngine;
import org.diffij.io.HostTensor;
import org.diffij.io.Weights;
import org.junit.jupiter.api.Test;

/** LoRA keys resolve to base modules in both styles, merge as W + s·α/r·up·down, stack, and unknown keys fail by name. */
class LoraWeightsTest {

    private static Weights weights(Map<String, HostTensor> tensors) {
        return new Weights() {
            @Override
            public Set<String> names() {
                return tensors.keySet();
            }

            @Override
            public HostTensor read(String name) {
                return tensors.get(name);
            }
        };
    }

    private static final Weights BASE = weights(Map.of(
            "down_blocks.0.attn1.to_q.weight", HostTensor.ofFloats(new float[] {1, 2, 3, 4}, 2, 2),
            "down_blocks.0.attn1.to_q.bias", HostTensor.ofFloats(new float[] {5, 6}, 2)));

    private static Map<String, HostTensor> kohya(float alpha) {
        Map<String, HostTensor> lora = new LinkedHashMap<>();
        lora.put("lora_unet_down_blocks_0_attn1_to_q.lora_down.weight", HostTensor.ofFloats(new float[] {1, 2}, 1, 2));
        lora.put("lora_unet_down_blocks_0_attn1_to_q.lora_up.weight", HostTensor.ofFloats(new float[] {3, 4}, 2, 1));
        lora.put("lora_unet_down_blocks_0_attn1_to_q.alpha", HostTensor.scalar(alpha));
        return lora;
    }

    private static float[] merged(LoraAdapter adapter, float textScale, float unetScale, String name) {
        return DiffijEngine.get().queue().run("merge", ctx -> new LoraWeights(BASE, "unet",
                List.of(new AppliedLora(adapter, textScale, unetScale)), ctx.manager()).read(name).toFloatArray());
    }

    @Test
    void kohyaLoraMergesWithAlphaOverRank() {
        LoraAdapter adapter = LoraAdapter.parse("k", weights(kohya(0.5f)), Map.of("unet", BASE));
        // up @ down = [[3, 6], [4, 8]], times scale 2 · alpha 0.5 / rank 1 = 1
        assertArrayEquals(new float[] {4, 8, 7, 12}, merged(adapter, 2f, 2f, "down_blocks.0.attn1.to_q.weight"));
        assertArrayEquals(new float[] {5, 6}, merged(adapter, 2f, 2f, "down_blocks.0.attn1.to_q.bias"));
    }

    @Test
    void peftLoraUsesRankAsAlphaAndSeveralLorasAdd() {
        Map<String, HostTensor> peft = Map.of(
                "unet.down_blocks.0.attn1.to_q.lora_A.weight", HostTensor.ofFloats(new float[] {1, 0}, 1, 2),
                "unet.down_blocks.0.attn1.to_q.lora_B.weight", HostTensor.ofFloats(new float[] {1, 1}, 2, 1));
        LoraAdapter a = LoraAdapter.parse("a", weights(peft), Map.of("unet", BASE));
        LoraAdapter b = LoraAdapter.parse("b", weights(kohya(1f)), Map.of("unet", BASE));
        float[] merged = DiffijEngine.get().queue().run("merge", ctx -> new LoraWeights(BASE, "unet",
                List.of(new AppliedLora(a, 1f), new AppliedLora(b, 0.5f)), ctx.manager())
                .read("down_blocks.0.attn1.to_q.weight").toFloatArray());
        // base + [[1, 0], [1, 0]] + 0.5 · [[3, 6], [4, 8]]
        assertArrayEquals(new float[] {3.5f, 5, 6, 8}, merged);
        assertEquals(Set.of("unet"), a.components());
    }

    @Test
    void unknownKeysAreReportedByName() {
        Map<String, HostTensor> lora = kohya(1f);
        lora.put("lora_unet_no_such_layer.lora_down.weight", HostTensor.ofFloats(new float[] {1, 2}, 1, 2));
        lora.put("lora_unet_down_blocks_0_attn1_to_q.no_such_part", HostTensor.ofFloats(new float[] {1}, 1));
        DiffijException e = assertThrows(DiffijException.class,
                () -> LoraAdapter.parse("bad.safetensors", weights(lora), Map.of("unet", BASE)));
        assertTrue(e.getMessage().contains("lora_unet_no_such_layer.lora_down.weight"), e.getMessage());
        assertTrue(e.getMessage().contains("lora_unet_down_blocks_0_attn1_to_q.no_such_part"), e.getMessage());
    }

    private static String refusal(Map<String, HostTensor> lora) {
        return assertThrows(DiffijException.class,
                () -> LoraAdapter.parse("bad.safetensors", weights(lora), Map.of("unet", BASE))).getMessage();
    }

    @Test
    void badTensorsAreRefusedNamingTheLayer() {
        String layer = "lora_unet_down_blocks_0_attn1_to_q";
        Map<String, HostTensor> wrongShape = kohya(1f);
        wrongShape.put(layer + ".lora_up.weight", HostTensor.ofFloats(new float[] {1, 2, 3}, 3, 1));
        Map<String, HostTensor> rankMismatch = kohya(1f);
        rankMismatch.put(layer + ".lora_up.weight", HostTensor.ofFloats(new float[] {1, 2, 3, 4}, 2, 2));
        Map<String, HostTensor> rankZero = kohya(1f);
        rankZero.put(layer + ".lora_down.weight", HostTensor.ofFloats(new float[0], 0, 2));
        Map<String, HostTensor> integer = kohya(1f);
        integer.put(layer + ".lora_down.weight", HostTensor.ofLongs(new long[] {1, 2}, 1, 2));
        Map<String, HostTensor> nanAlpha = kohya(Float.NaN);
        Map<String, HostTensor> vectorAlpha = kohya(1f);
        vectorAlpha.put(layer + ".alpha", HostTensor.ofFloats(new float[] {1, 1}, 2));
        Map<String, HostTensor> onlyDown = kohya(1f);
        onlyDown.remove(layer + ".lora_up.weight");
        Map<String, HostTensor> oft = new LinkedHashMap<>();
        oft.put(layer + ".oft_blocks", HostTensor.ofFloats(new float[] {1, 0, 0, 1}, 1, 2, 2));
        for (Map.Entry<String, Map<String, HostTensor>> c : Map.of("but the layer's weight is [2, 2]", wrongShape, "different ranks",
                rankMismatch, "rank 0", rankZero, "floating point", integer, "finite", nanAlpha, "one finite",
                vectorAlpha, "missing", onlyDown, "OFT", oft).entrySet()) {
            String message = refusal(c.getValue());
            assertTrue(message.contains(layer) && message.contains(c.getKey()) && !message.contains("\n"),
                    c.getKey() + ": " + message);
        }
    }

    @Test
    void separateTextAndUNetMultipliers() {
        LoraAdapter adapter = LoraAdapter.parse("k", weights(kohya(1f)), Map.of("unet", BASE));
        // the UNet takes the second multiplier: base + 0.5 · [[3, 6], [4, 8]]
        assertArrayEquals(new float[] {2.5f, 5, 5, 8}, merged(adapter, 3f, 0.5f, "down_blocks.0.attn1.to_q.weight"));
    }
}
