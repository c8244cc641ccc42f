package org.diffij.parity.areas;

import org.diffij.text.ClipTokenizer;
import org.diffij.text.TokenizedPrompt;
import com.google.gson.JsonElement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diffij.io.HostTensor;
import org.diffij.parity.AreaRunner;
import org.diffij.parity.GoldenCase;

/**
 * Golden area {@code tokenizer}: the case's prompts through the model's {@code tokenizer/}, or
 * {@code tokenizer_2/} for ids ending in {@code _tokenizer_2}, padded to 77.
 */
public final class TokenizerAreaRunner implements AreaRunner {

    @Override
    public String area() {
        return "tokenizer";
    }

    @Override
    public Map<String, HostTensor> run(GoldenCase golden) {
        String name = golden.id().substring(golden.id().indexOf('/') + 1);
        String component = name.endsWith("_tokenizer_2") ? "tokenizer_2" : "tokenizer";
        ClipTokenizer tokenizer = ClipTokenizer.load(golden.modelPath().resolve(component));
        ClipTokenizer withoutFixer = tokenizer.withNormalization(ClipTokenizer.Normalization.BASIC);
        List<String> prompts = new ArrayList<>();
        for (JsonElement prompt : golden.params().getAsJsonArray("prompts")) {
            prompts.add(prompt.getAsString());
        }
        int length = golden.params().has("max_length") ? golden.params().get("max_length").getAsInt()
                : tokenizer.maxLength();
        int n = prompts.size();
        long[] ids = new long[n * length];
        long[] mask = new long[n * length];
        long[] idsWithoutFixer = new long[n * length];
        long[] untruncatedLength = new long[n];
        long[] offsets = new long[n + 1];
        List<int[]> untruncated = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            TokenizedPrompt padded = tokenizer.encodePadded(prompts.get(i), length);
            System.arraycopy(padded.ids(), 0, ids, i * length, length);
            System.arraycopy(padded.attentionMask(), 0, mask, i * length, length);
            System.arraycopy(withoutFixer.encodePadded(prompts.get(i), length).ids(), 0, idsWithoutFixer,
                    i * length, length);
            untruncatedLength[i] = padded.untruncatedLength();
            int[] all = tokenizer.encode(prompts.get(i));
            untruncated.add(all);
            offsets[i + 1] = offsets[i] + all.length;
        }
        long[] flat = new long[(int) offsets[n]];
        for (int i = 0; i < n; i++) {
            int[] all = untruncated.get(i);
            for (int j = 0; j < all.length; j++) {
                flat[(int) offsets[i] + j] = all[j];
            }
        }
        Map<String, HostTensor> out = new LinkedHashMap<>();
        out.put("input_ids", HostTensor.ofLongs(ids, n, length));
        out.put("attention_mask", HostTensor.ofLongs(mask, n, length));
        out.put("untruncated_length", HostTensor.ofLongs(untruncatedLength, n));
        List<String> wanted = golden.outputNames();
        if (wanted.contains("input_ids_no_ftfy")) {
            out.put("input_ids_no_ftfy", HostTensor.ofLongs(idsWithoutFixer, n, length));
        }
        if (wanted.contains("untruncated_ids_flat")) {
            out.put("untruncated_ids_flat", HostTensor.ofLongs(flat, flat.length));
            out.put("untruncated_offsets", HostTensor.ofLongs(offsets, n + 1));
        }
        return out;
    }
}
