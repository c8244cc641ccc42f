package org.diffij.models.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.diffij.engine.DiffijEngine;
import org.diffij.io.Json;
import org.diffij.io.WeightSet;
import org.diffij.models.checkpoint.LdmUNetNames;
import org.diffij.models.unet.UNet2DConditionConfig;
import org.diffij.models.unet.UNet2DConditionModel;
import org.diffij.nn.ParameterLoader;
import org.diffij.parity.Golden;
import org.junit.jupiter.api.Test;

/**
 * kohya's SDXL names cover every UNet layer of tiny-sdxl and of the full SDXL layout, both ways:
 * each module has one kohya name, which reads back to it, and whose LDM form the single-file
 * renaming table turns into the module's diffusers name.
 */
class KohyaNamesTest {

    @Test
    void tinySdxlEveryLayerBothWays() {
        try (WeightSet unet = WeightSet.openFolder(Golden.manifest().modelPath("tiny-sdxl").resolve("unet"))) {
            UNet2DConditionConfig config = UNet2DConditionConfig.from(Json.readObject(
                    Golden.manifest().modelPath("tiny-sdxl").resolve("unet/config.json")));
            checkAll(config, unet.names());
        }
    }

    @Test
    void fullSdxlLayoutEveryLayerBothWays() throws Exception {
        JsonObject json;
        try (var in = new InputStreamReader(getClass().getResourceAsStream("sdxl-base-unet-narrow.json"),
                StandardCharsets.UTF_8)) {
            json = JsonParser.parseReader(in).getAsJsonObject();
        }
        UNet2DConditionConfig config = UNet2DConditionConfig.from(json);
        Set<String> names = DiffijEngine.get().queue().run("sdxl layout", ctx -> {
            ParameterLoader loader = ParameterLoader.random(ctx.manager(), ctx.engine().computeType(), "SDXL");
            new UNet2DConditionModel(config, loader);
            return new TreeSet<>(loader.names());
        });
        Set<String> modules = checkAll(config, names);
        // 1 + 2 + 10 transformer blocks per level in SDXL: down level 2 and the mid block have ten.
        assertTrue(modules.contains("mid_block.attentions.0.transformer_blocks.9.ff.net.2"));
        KohyaNames kohya = KohyaNames.of(config, true);
        assertEquals("lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_q",
                kohya.kohyaName("unet", "down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q"));
        assertEquals("lora_unet_input_blocks_8_1_transformer_blocks_9_attn2_to_out_0",
                kohya.kohyaName("unet", "down_blocks.2.attentions.1.transformer_blocks.9.attn2.to_out.0"));
        assertEquals("lora_unet_middle_block_1_proj_in", kohya.kohyaName("unet", "mid_block.attentions.0.proj_in"));
        assertEquals("lora_unet_output_blocks_2_2_conv", kohya.kohyaName("unet", "up_blocks.0.upsamplers.0.conv"));
        assertEquals("lora_unet_output_blocks_8_0_skip_connection",
                kohya.kohyaName("unet", "up_blocks.2.resnets.2.conv_shortcut"));
        assertEquals("lora_unet_input_blocks_6_0_op", kohya.kohyaName("unet", "down_blocks.1.downsamplers.0.conv"));
        assertEquals("lora_te2_text_model_encoder_layers_0_mlp_fc1",
                kohya.kohyaName("text_encoder_2", "text_model.encoder.layers.0.mlp.fc1"));
        assertEquals("lora_te1_text_model_encoder_layers_0_mlp_fc1",
                kohya.kohyaName("text_encoder", "text_model.encoder.layers.0.mlp.fc1"));
    }

    /** Checks every module's name both ways; returns the modules. */
    private static Set<String> checkAll(UNet2DConditionConfig config, Set<String> weightNames) {
        Set<String> modules = new TreeSet<>();
        for (String name : weightNames) {
            if (name.endsWith(".weight")) {
                modules.add(name.substring(0, name.length() - ".weight".length()));
            }
        }
        KohyaNames kohya = KohyaNames.of(config, true);
        Map<String, KohyaNames.Target> index = kohya.index(Map.of("unet", modules));
        LdmUNetNames ldm = new LdmUNetNames(config);
        List<String> wrong = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        int attention = 0;
        for (String module : modules) {
            String name = kohya.kohyaName("unet", module);
            KohyaNames.Target back = index.get(name);
            if (back == null || !back.module().equals(module) || !seen.add(name)) {
                wrong.add(module + " -> " + name + " -> " + back);
            }
            String ldmKey = ldm.ldmName(module + ".weight");
            if (!(module + ".weight").equals(ldm.rename(ldmKey))) {
                wrong.add(module + ".weight -> " + ldmKey + " -> " + ldm.rename(ldmKey));
            }
            if (module.matches(".*(attn[12]\\.to_(q|k|v|out\\.0)|ff\\.net\\.(0\\.proj|2)|proj_in|proj_out)")) {
                attention++;
            }
        }
        assertTrue(wrong.isEmpty(), wrong.size() + " wrong: " + wrong.subList(0, Math.min(10, wrong.size())));
        assertTrue(attention > 0, "no attention layers among " + modules.size());
        return modules;
    }
}
