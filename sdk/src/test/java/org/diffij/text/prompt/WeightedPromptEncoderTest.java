package org.diffij.text.prompt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.List;
import org.diffij.engine.DiffijEngine;
import org.diffij.parity.Golden;
import org.diffij.models.clip.ClipTextModel;
import org.diffij.text.ClipTokenizer;
import org.diffij.parity.areas.SdxlTextEncoders;
import org.diffij.parity.areas.TextEncoding;
import org.junit.jupiter.api.Test;

class WeightedPromptEncoderTest {

    @Test
    void weightsScaleTokensAndRestoreTheChunkMean() {
        float[] result = DiffijEngine.get().queue().run("weights", ctx -> {
            NDManager m = ctx.manager();
            NDArray z = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 2, 2));
            NDArray w = m.create(new float[] {1, 2}, new Shape(1, 2, 1));
            return WeightedPromptEncoder.applyWeights(z, w).toFloatArray();
        });
        // z * w = [1 2 6 8], mean 4.25; the original mean 2.5 is restored by the factor 2.5 / 4.25.
        float k = 2.5f / 4.25f;
        assertArrayEquals(new float[] {1 * k, 2 * k, 6 * k, 8 * k}, result, 1e-6f);
    }

    @Test
    void plainPromptsGiveExactlyTheDiffusersConditioning() {
        Path model = Golden.manifest().modelPath("tiny-sd15");
        List<String> prompts = List.of("a photo of a cat", "");
        float[][] result = DiffijEngine.get().queue().run("plain", ctx -> {
            NDManager m = ctx.manager();
            ClipTextModel encoder = ClipTextModel.load(model.resolve("text_encoder"), m, DataType.FLOAT32);
            ClipTokenizer tokenizer = ClipTokenizer.load(model.resolve("tokenizer"));
            WeightedPromptEncoder weighted = WeightedPromptEncoder.sd(tokenizer, encoder, null, 1);
            float[][] out = new float[4][];
            for (int i = 0; i < 2; i++) {
                out[2 * i] = encoder.forward(TextEncoding.ids(m, tokenizer, List.of(prompts.get(i)))).promptEmbeds(1)
                        .toFloatArray();
                out[2 * i + 1] = weighted.encode(m, prompts.get(i)).embeds().toFloatArray();
            }
            return out;
        });
        assertArrayEquals(result[0], result[1]);
        assertArrayEquals(result[2], result[3]);
    }

    @Test
    void sdxlPlainPromptsMatchEncodePromptAndWeightedOnesKeepTheirMean() {
        Path model = Golden.manifest().modelPath("tiny-sdxl");
        float[][] result = DiffijEngine.get().queue().run("sdxl", ctx -> {
            NDManager m = ctx.manager();
            ClipTextModel e1 = ClipTextModel.load(model.resolve("text_encoder"), m, DataType.FLOAT32);
            ClipTextModel e2 = ClipTextModel.load(model.resolve("text_encoder_2"), m, DataType.FLOAT32);
            ClipTokenizer t1 = ClipTokenizer.load(model.resolve("tokenizer"));
            ClipTokenizer t2 = ClipTokenizer.load(model.resolve("tokenizer_2"));
            SdxlTextEncoders.Conditioning reference = new SdxlTextEncoders(t1, e1, t2, e2)
                    .encode(m, List.of("a photo of a cat"), 0);
            SdxlPromptEncoder encoder = new SdxlPromptEncoder(WeightedPromptEncoder.sdxl(t1, e1, null, 0),
                    WeightedPromptEncoder.sdxl(t2, e2, null, 0));
            PromptEncoder.Conditioning plain = encoder.encode(m, "a photo of a cat");
            PromptEncoder.Conditioning weighted = encoder.encode(m, "a photo of a (cat:1.4)");
            PromptEncoder.Conditioning twoChunks = encoder.encode(m, "a cat BREAK a dog");
            NDArray firstEncoder = weighted.embeds().get(":, :, 0:32");
            NDArray unweightedFirst = plain.embeds().get(":, :, 0:32");
            return new float[][] {reference.promptEmbeds().toFloatArray(), plain.embeds().toFloatArray(),
                reference.pooledPromptEmbeds().toFloatArray(), plain.pooled().toFloatArray(),
                weighted.pooled().toFloatArray(), {firstEncoder.mean().getFloat(), unweightedFirst.mean().getFloat()},
                {twoChunks.embeds().getShape().get(1), twoChunks.embeds().getShape().get(2)}};
        });
        assertArrayEquals(result[0], result[1]);
        assertArrayEquals(result[2], result[3]);
        assertArrayEquals(result[3], result[4]);
        assertEquals(result[5][1], result[5][0], 1e-5f);
        assertArrayEquals(new float[] {154, 64}, result[6]);
    }

    @Test
    void aShorterNegativePromptIsPaddedWithTheEmptyPrompt() {
        Path model = Golden.manifest().modelPath("tiny-sd15");
        float[][] result = DiffijEngine.get().queue().run("padding", ctx -> {
            NDManager m = ctx.manager();
            ClipTextModel encoder = ClipTextModel.load(model.resolve("text_encoder"), m, DataType.FLOAT32);
            WeightedPromptEncoder weighted = WeightedPromptEncoder.sd(
                    ClipTokenizer.load(model.resolve("tokenizer")), encoder, null, 0);
            NDArray cond = weighted.encode(m, "a cat BREAK a dog BREAK a bird").embeds();
            NDArray uncond = weighted.encode(m, "blurry").embeds();
            NDArray empty = weighted.encode(m, "").embeds();
            NDArray padded = ChunkPadding.toLength(uncond, empty, cond.getShape().get(1));
            return new float[][] {{cond.getShape().get(1), padded.getShape().get(1)},
                padded.get(":, 0:77").toFloatArray(), uncond.toFloatArray(),
                padded.get(":, 154:231").toFloatArray(), empty.toFloatArray()};
        });
        assertArrayEquals(new float[] {231, 231}, result[0]);
        assertArrayEquals(result[2], result[1]);
        assertArrayEquals(result[4], result[3]);
    }
}
