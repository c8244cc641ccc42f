package org.diffij.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.diffij.DiffijException;
import org.junit.jupiter.api.Test;

class TrainingRequestTest {

    /** A LoRA request in which every key differs from its default, so a dropped key cannot round-trip. */
    private static final String EVERY_KEY = "method=lora model=[models/tiny sd15] data=[/data/my cat] "
            + "output=out/cat.safetensors formats=kohya,diffusers steps=700 epochs=3 batch=2 gradient_accumulation=4 "
            + "lr=2.0E-4 lr_text_encoder=5.0E-5 optimizer=adamw betas=0.8,0.99 eps=1.0E-6 weight_decay=0.05 "
            + "lr_schedule=cosine_with_restarts warmup_steps=50 lr_cycles=3 lr_power=2 seed=42 "
            + "prediction_type=v_prediction noise_offset=0.05 min_snr_gamma=5 max_grad_norm=1 resolution=768 "
            + "bucketing=true min_bucket=320 max_bucket=1280 bucket_step=32 crop=random flip=true "
            + "caption_extension=.caption template=[a photo of [name], [filewords]] shuffle_captions=true "
            + "keep_tokens=1 caption_dropout=0.1 normalise=percentile save_every=100 sample_every=200 checkpoint_every=50 "
            + "sample_prompts=prompts.txt gradient_checkpointing=on rank=8 alpha=1 targets=attention conv_rank=4 "
            + "conv_alpha=2 train_text_encoder=true";

    @Test
    void everyKeyRoundTripsThroughTheMacroString() {
        TrainingRequest request = TrainingRequest.fromMacroOptions(EVERY_KEY);
        assertEquals(EVERY_KEY, request.toMacroOptions());
        assertEquals(request, TrainingRequest.fromMacroOptions(request.toMacroOptions()));
        assertEquals(8, request.lora().rank());
        assertEquals("a photo of [name], [filewords]", request.dataOptions().template());
        TrainingRequest defaults = TrainingRequest.defaults(TrainingRequest.Method.LORA, "m", "d", "o");
        assertEquals(request.toOptions().size(), request.differingKeys(defaults).size() + 2,
                "every key but method and optimizer differs from the defaults");
    }

    @Test
    void methodDefaultsAreTheReferenceScripts() {
        TrainingRequest lora = TrainingRequest.fromMacroOptions("model=m data=d");
        assertEquals(4, lora.lora().rank());
        assertEquals(4, lora.lora().alpha());
        assertEquals(1e-4, lora.lrUnet());
        assertEquals("constant", lora.lrSchedule());
        assertEquals(List.of("kohya"), lora.formats());
        TrainingRequest ti = TrainingRequest.fromMacroOptions("method=ti model=m data=d token=<cat-toy> init_word=toy");
        assertEquals(1, ti.ti().vectors());
        assertEquals(5e-4, ti.lrUnet());
        assertEquals(3000, ti.steps());
        assertEquals(List.of("a1111"), ti.formats());
        assertEquals(List.of("a1111_pt", "diffusers"), TrainingRequest.fromMacroOptions("method=ti model=m data=d "
                + "token=<t> init_word=t formats=a1111_pt,diffusers").formats());
        assertTrue(ti.toMacroOptions().endsWith("token=<cat-toy> init_word=toy vectors=1"), ti.toMacroOptions());
        TrainingRequest db = TrainingRequest.fromMacroOptions("method=dreambooth model=m data=d class_prompt=[a dog] "
                + "class_dir=c");
        assertEquals(5e-6, db.lrUnet());
        assertEquals(100, db.dreamBooth().classImages());
        assertEquals(1, db.dreamBooth().priorWeight());
        assertEquals(TrainingRequest.PriorMode.IMAGES, db.dreamBooth().priorMode());
        assertEquals(1, db.maxGradNorm(), "train_dreambooth.py clips at 1.0");
        assertEquals(List.of("diffusers"), db.formats());
        String everyDreamBoothKey = db.toMacroOptions().replace("num_class_images=100", "num_class_images=7")
                .replace("prior_mode=images", "prior_mode=prediction")
                .replace("prior_loss_weight=1", "prior_loss_weight=0.5")
                .replace("train_text_encoder=false", "train_text_encoder=true");
        assertEquals(everyDreamBoothKey, TrainingRequest.fromMacroOptions(everyDreamBoothKey).toMacroOptions());
        assertEquals(0, TrainingRequest.fromMacroOptions("model=m data=d epochs=10").steps(), "epochs alone rule");
    }

    @Test
    void resumeIsRefusedNamingTheKeysThatChangeTraining() {
        TrainingRequest checkpoint = TrainingRequest.fromMacroOptions("model=m data=d rank=8");
        TrainingRequest now = TrainingRequest.fromMacroOptions("model=m data=d rank=4");
        assertEquals("resume refused: the checkpoint was made with rank=8, this request has rank=4",
                now.resumeRefusal(checkpoint));
        TrainingRequest cadence = TrainingRequest.fromMacroOptions("model=m data=d rank=8 save_every=10 output=x "
                + "sample_every=5 gradient_checkpointing=off");
        assertNull(cadence.resumeRefusal(checkpoint), "cadence, output and memory settings may change");
        assertEquals(List.of("output", "save_every", "sample_every", "gradient_checkpointing"),
                cadence.differingKeys(checkpoint));
    }

    @Test
    void badRequestsGetOneLineMessages() {
        String[][] cases = {
            {"model=m data=d rank=0", "rank must be 1..1024"},
            {"model=m data=d steps=abc", "steps must be a whole number"},
            {"model=m data=d token=x", "unknown option 'token' for method lora"},
            {"method=ti model=m data=d", "textual inversion needs a token"},
            {"method=ti model=m data=d token=<t>", "needs an init_word"},
            {"model=m data=d lr_schedule=cosine_restart", "unknown LR schedule"},
            {"model=m data=d formats=a1111", "format 'a1111' is not one for lora"},
            {"model=m data=d formats=kohya,a1111_pt", "format 'a1111_pt' is not one for lora; use kohya or diffusers"},
            {"method=ti model=m data=d formats=kohya", "use a1111 or a1111_pt or diffusers"},
            {"data=d", "no model given"},
            {"model=m data=d betas=0.9", "betas must be 2 comma-separated numbers"},
            {"model=m data=d resolution=500", "resolution must be a multiple of 8"},
            {"model=m data=d flip=maybe", "flip must be true or false"},
            {"model=m data=d method=sd", "method must be lora, ti, dreambooth or hypernetwork"},
        };
        for (String[] c : cases) {
            DiffijException e = assertThrows(DiffijException.class, () -> TrainingRequest.fromMacroOptions(c[0]), c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        }
    }
}
