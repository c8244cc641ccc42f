package org.diffij.parity.areas;

import org.diffij.text.ClipTokenizer;
import org.diffij.models.clip.ClipTextOutput;
import org.diffij.models.clip.ClipTextModel;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diffij.engine.DiffijEngine;
import org.diffij.engine.Tensors;
import org.diffij.io.HostTensor;
import org.diffij.parity.AreaRunner;
import org.diffij.parity.GoldenCase;

/**
 * Golden area {@code text_encoder}: the raw encoder outputs for the case's input ids, and the
 * pipeline conditioning for its prompts (tokenised here), for SD1.x/2.x and SDXL models.
 */
public final class TextEncoderAreaRunner implements AreaRunner {

    @Override
    public String area() {
        return "text_encoder";
    }

    @Override
    public Map<String, HostTensor> run(GoldenCase golden) {
        Path model = golden.modelPath();
        List<String> prompts = strings(golden.params(), "prompts");
        HostTensor inputIds = golden.input("input_ids");
        HostTensor inputIds2 = golden.inputNames().contains("input_ids_2") ? golden.input("input_ids_2") : null;
        return DiffijEngine.get().queue().run("text_encoder parity " + golden.id(), ctx -> {
            NDManager manager = ctx.manager();
            DataType dtype = ctx.engine().computeType();
            Map<String, HostTensor> out = new LinkedHashMap<>();
            ClipTextModel encoder = ClipTextModel.load(model.resolve("text_encoder"), manager, dtype);
            ClipTokenizer tokenizer = ClipTokenizer.load(model.resolve("tokenizer"));
            ClipTextOutput raw = encoder.forward(Tensors.toNDArray(manager, inputIds, dtype));
            if (inputIds2 == null) {
                out.put("last_hidden_state", Tensors.toHost(raw.lastHiddenState()));
                out.put("pooler_output", Tensors.toHost(raw.pooledOutput()));
                out.put("hidden_states_m2", Tensors.toHost(raw.hiddenState(-2)));
                ClipTextOutput encoded = encoder.forward(TextEncoding.ids(manager, tokenizer, prompts));
                out.put("prompt_embeds", Tensors.toHost(encoded.promptEmbeds(0)));
                out.put("prompt_embeds_clip_skip_1", Tensors.toHost(encoded.promptEmbeds(1)));
                out.put("prompt_embeds_clip_skip_2", Tensors.toHost(encoded.promptEmbeds(2)));
                return out;
            }
            ClipTextModel encoder2 = ClipTextModel.load(model.resolve("text_encoder_2"), manager, dtype);
            ClipTextOutput raw2 = encoder2.forward(Tensors.toNDArray(manager, inputIds2, dtype));
            out.put("te1_hidden_states_m2", Tensors.toHost(raw.hiddenState(-2)));
            out.put("te1_last_hidden_state", Tensors.toHost(raw.lastHiddenState()));
            out.put("te2_hidden_states_m2", Tensors.toHost(raw2.hiddenState(-2)));
            out.put("te2_last_hidden_state", Tensors.toHost(raw2.lastHiddenState()));
            out.put("te2_text_embeds", Tensors.toHost(raw2.textEmbeds()));
            SdxlTextEncoders both = new SdxlTextEncoders(tokenizer, encoder,
                    ClipTokenizer.load(model.resolve("tokenizer_2")), encoder2);
            SdxlTextEncoders.Conditioning positive = both.encode(manager, prompts, 0);
            SdxlTextEncoders.Conditioning negative = both.encode(manager, strings(golden.params(), "negative_prompts"), 0);
            out.put("prompt_embeds", Tensors.toHost(positive.promptEmbeds()));
            out.put("negative_prompt_embeds", Tensors.toHost(negative.promptEmbeds()));
            out.put("pooled_prompt_embeds", Tensors.toHost(positive.pooledPromptEmbeds()));
            out.put("negative_pooled_prompt_embeds", Tensors.toHost(negative.pooledPromptEmbeds()));
            return out;
        });
    }

    static List<String> strings(JsonObject params, String key) {
        List<String> values = new ArrayList<>();
        for (JsonElement e : params.getAsJsonArray(key)) {
            values.add(e.getAsString());
        }
        return values;
    }
}
