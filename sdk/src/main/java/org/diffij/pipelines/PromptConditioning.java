package org.diffij.pipelines;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.diffij.models.unet.AddedConditions;
import org.diffij.models.clip.ClipTextModel;
import org.diffij.text.prompt.A1111Prompt;
import org.diffij.text.prompt.ChunkPadding;
import org.diffij.text.prompt.PromptEncoder;
import org.diffij.text.prompt.ScheduledConditioning;
import org.diffij.text.prompt.SdxlPromptEncoder;
import org.diffij.text.prompt.WeightedPromptEncoder;

/**
 * The text conditioning of one generation for every step: prompts as A1111 users write them
 * (emphasis, {@code BREAK}, chunks beyond 75 tokens, {@code [from:to:when]} schedules), encoded once
 * per distinct text. With classifier-free guidance a step's batch is {@code [negatives..., prompts...]}
 * as in diffusers; all items are padded with the empty prompt to the same number of chunks, as
 * A1111 does. SDXL adds its pooled embedding and the size/crop ids. A prompt without syntax gives
 * exactly diffusers' {@code encode_prompt}.
 */
public final class PromptConditioning {

    /** The UNet's text inputs for one step: {@code (B or 2B, tokens, features)} and SDXL's added conditions. */
    public record Step(NDArray context, AddedConditions added) {

        void attachTemporarily(NDManager scope) {
            context.tempAttach(scope);
            if (added != null) {
                added.textEmbeds().tempAttach(scope);
                added.timeIds().tempAttach(scope);
            }
        }
    }

    private final NDManager manager;
    private final List<ScheduledConditioning> negatives;
    private final List<ScheduledConditioning> positives;
    private final PromptEncoder encoder;
    private final NDArray timeIds;
    private final boolean zeroNegatives;
    private final Map<List<Integer>, Step> byEntries = new HashMap<>();
    private NDArray empty;

    private PromptConditioning(NDManager manager, PromptEncoder encoder, List<ScheduledConditioning> negatives,
            List<ScheduledConditioning> positives, NDArray timeIds, boolean zeroNegatives) {
        this.manager = manager;
        this.encoder = encoder;
        this.negatives = negatives;
        this.positives = positives;
        this.timeIds = timeIds;
        this.zeroNegatives = zeroNegatives;
    }

    /**
     * @param adapters    LoRA-patched text encoders and embedding overlays of the request
     * @param clipSkip    diffusers' clip skip: 0 = last layer (A1111's "Clip skip 1")
     * @param guided      whether classifier-free guidance needs the negative half
     */
    public static PromptConditioning encode(NDManager manager, StableDiffusionModel model, Adapters adapters,
            List<A1111Prompt> prompts, List<A1111Prompt> negatives, int clipSkip, boolean guided, int width,
            int height) {
        ClipTextModel textEncoder = adapters.textEncoder(model);
        PromptEncoder encoder = model.isXl()
                ? new SdxlPromptEncoder(WeightedPromptEncoder.sdxl(model.tokenizer(), textEncoder, adapters.overlay(),
                        clipSkip), WeightedPromptEncoder.sdxl(model.tokenizer2(), adapters.textEncoder2(model),
                                adapters.overlay2(), clipSkip))
                : WeightedPromptEncoder.sd(model.tokenizer(), textEncoder, adapters.overlay(), clipSkip);
        boolean zeros = model.isXl() && model.forceZerosForEmptyPrompt()
                && negatives.stream().allMatch(n -> n.text().isEmpty() && n.extraNetworks().isEmpty());
        NDArray timeIds = null;
        if (model.isXl()) {
            float[] ids = new float[6 * prompts.size()];
            for (int b = 0; b < prompts.size(); b++) {
                // original size, crop top-left, target size: the generation size, uncropped.
                System.arraycopy(new float[] {height, width, 0, 0, height, width}, 0, ids, 6 * b, 6);
            }
            timeIds = manager.create(ids, new Shape(prompts.size(), 6));
        }
        return of(manager, encoder, prompts, negatives, guided, zeros, timeIds);
    }

    /**
     * The conditioning with any prompt encoder.
     *
     * @param zeroNegatives use zeros instead of encoding the (empty) negatives, as SDXL does
     * @param timeIds       SDXL's size/crop ids per prompt {@code (B, 6)}, or null
     */
    static PromptConditioning of(NDManager manager, PromptEncoder encoder, List<A1111Prompt> prompts,
            List<A1111Prompt> negatives, boolean guided, boolean zeroNegatives, NDArray timeIds) {
        List<ScheduledConditioning> positive = schedules(manager, encoder, prompts);
        List<ScheduledConditioning> negative = guided && !zeroNegatives ? schedules(manager, encoder, negatives)
                : null;
        NDArray ids = timeIds != null && guided ? NDArrays.concat(new NDList(timeIds, timeIds), 0) : timeIds;
        return new PromptConditioning(manager, encoder, negative, positive, ids, guided && zeroNegatives);
    }

    private static List<ScheduledConditioning> schedules(NDManager manager, PromptEncoder encoder,
            List<A1111Prompt> prompts) {
        List<ScheduledConditioning> list = new ArrayList<>();
        for (A1111Prompt prompt : prompts) {
            list.add(ScheduledConditioning.encode(manager, encoder, prompt.schedule()));
        }
        return list;
    }

    /** The conditioning of step {@code index} (0-based); steps with the same prompts share one array. */
    public Step at(int index) {
        List<Integer> key = new ArrayList<>();
        for (ScheduledConditioning s : positives) {
            key.add(s.entryIndex(index));
        }
        if (negatives != null) {
            for (ScheduledConditioning s : negatives) {
                key.add(s.entryIndex(index));
            }
        }
        return byEntries.computeIfAbsent(key, k -> assemble(index));
    }

    private Step assemble(int index) {
        List<PromptEncoder.Conditioning> items = new ArrayList<>();
        List<PromptEncoder.Conditioning> positive = new ArrayList<>();
        for (ScheduledConditioning s : positives) {
            positive.add(s.at(index));
        }
        if (negatives != null) {
            negatives.forEach(s -> items.add(s.at(index)));
        } else if (zeroNegatives) {
            positive.forEach(p -> items.add(new PromptEncoder.Conditioning(p.embeds().zerosLike(),
                    p.pooled() == null ? null : p.pooled().zerosLike())));
        }
        items.addAll(positive);
        long tokens = items.stream().mapToLong(c -> c.embeds().getShape().get(1)).max().orElse(0);
        NDList embeds = new NDList();
        NDList pooled = new NDList();
        for (PromptEncoder.Conditioning item : items) {
            embeds.add(padded(item.embeds(), tokens));
            if (item.pooled() != null) {
                pooled.add(item.pooled());
            }
        }
        NDArray context = NDArrays.concat(embeds, 0);
        AddedConditions added = timeIds == null ? null : new AddedConditions(NDArrays.concat(pooled, 0), timeIds);
        return new Step(context, added);
    }

    private NDArray padded(NDArray embeds, long tokens) {
        if (embeds.getShape().get(1) == tokens) {
            return embeds;
        }
        if (empty == null) {
            empty = encoder.encode(manager, "").embeds();
        }
        return ChunkPadding.toLength(embeds, empty, tokens);
    }
}
