package org.diffij.pipelines;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.diffij.models.unet.AddedConditions;
import org.diffij.text.SdxlTextEncoders;
import org.diffij.text.TextEncoding;

/**
 * The text conditioning of one generation, as diffusers' {@code encode_prompt} builds it: with
 * classifier-free guidance the batch is {@code [negative..., positive...]}; SDXL adds its pooled
 * embedding and size/crop ids.
 *
 * @param context     {@code (B or 2B, 77, cross_attention_dim)}
 * @param added       SDXL's added conditions for the same batch, null for SD 1.x/2.x
 */
public record PromptConditioning(NDArray context, AddedConditions added) {

    /**
     * @param clipSkip diffusers' clip skip: 0 = last layer (A1111's "Clip skip 1")
     * @param guided   whether classifier-free guidance needs the negative half
     */
    public static PromptConditioning encode(NDManager manager, StableDiffusionModel model, List<String> prompts,
            List<String> negatives, int clipSkip, boolean guided, int width, int height) {
        if (!model.isXl()) {
            NDArray positive = model.textEncoder().forward(TextEncoding.ids(manager, model.tokenizer(), prompts))
                    .promptEmbeds(clipSkip);
            if (!guided) {
                return new PromptConditioning(positive, null);
            }
            NDArray negative = model.textEncoder().forward(TextEncoding.ids(manager, model.tokenizer(), negatives))
                    .promptEmbeds(clipSkip);
            return new PromptConditioning(NDArrays.concat(new NDList(negative, positive), 0), null);
        }
        SdxlTextEncoders encoders = new SdxlTextEncoders(model.tokenizer(), model.textEncoder(), model.tokenizer2(),
                model.textEncoder2());
        SdxlTextEncoders.Conditioning positive = encoders.encode(manager, prompts, clipSkip);
        int batch = prompts.size();
        float[] ids = new float[6 * batch];
        for (int b = 0; b < batch; b++) {
            // original size, crop top-left, target size: the generation size uncropped.
            float[] row = {height, width, 0, 0, height, width};
            System.arraycopy(row, 0, ids, 6 * b, 6);
        }
        NDArray timeIds = manager.create(ids, new Shape(batch, 6));
        if (!guided) {
            return new PromptConditioning(positive.promptEmbeds(),
                    new AddedConditions(positive.pooledPromptEmbeds(), timeIds));
        }
        boolean zeros = model.forceZerosForEmptyPrompt() && negatives.stream().allMatch(String::isEmpty);
        NDArray negativeEmbeds;
        NDArray negativePooled;
        if (zeros) {
            negativeEmbeds = positive.promptEmbeds().zerosLike();
            negativePooled = positive.pooledPromptEmbeds().zerosLike();
        } else {
            SdxlTextEncoders.Conditioning negative = encoders.encode(manager, negatives, clipSkip);
            negativeEmbeds = negative.promptEmbeds();
            negativePooled = negative.pooledPromptEmbeds();
        }
        return new PromptConditioning(
                NDArrays.concat(new NDList(negativeEmbeds, positive.promptEmbeds()), 0),
                new AddedConditions(NDArrays.concat(new NDList(negativePooled, positive.pooledPromptEmbeds()), 0),
                        NDArrays.concat(new NDList(timeIds, timeIds), 0)));
    }
}
