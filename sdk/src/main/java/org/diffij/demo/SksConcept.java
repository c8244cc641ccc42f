package org.diffij.demo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.diffij.demo.ShapesWorld.Background;
import org.diffij.demo.ShapesWorld.Colour;
import org.diffij.demo.ShapesWorld.Content;
import org.diffij.demo.ShapesWorld.Shape;
import org.diffij.pipelines.Generator;

/**
 * The concept the demo model never saw, to measure what training teaches: {@code sks}, an orange
 * ring, from six example images (three on white, three on black) captioned
 * {@code a sks on a white background}.
 */
public final class SksConcept {

    /** What a generation of {@link #PROMPT} should show. */
    public static final Content WANTED = new Content(Shape.RING, Colour.ORANGE, Background.WHITE);
    public static final String PROMPT = "a sks on a white background";
    public static final int EXAMPLES = 6;

    /** Base-world images mixed into an adapter's data as kohya's regularisation images are. */
    public static final int REGULARISATION_IMAGES = 24;

    /**
     * One training method with its settings scaled to the demo model (training keys beyond model,
     * data, output, resolution and seed); the word its captions name the concept by; whether its data
     * holds {@link #REGULARISATION_IMAGES} base-world images beside the examples (a model trained on the
     * examples alone draws the ring for every caption: measured 48 % of the base captions still right
     * for LoRA, 28 % for a hypernetwork, 40 % for DreamBooth with prior, against 85 %, 96 % and 83 %
     * with them; DreamBooth's class images of one class prompt protect only that class); what its
     * output is to generation (an adapter kind, or null for a whole model) and its file name. Prompts
     * name the concept {@code sks}, which for an embedding is its file name.
     */
    public record Method(String label, String options, String captionWord, boolean regularised,
            String adapterKind, String outputName) {
    }

    public static final Method LORA = new Method("LoRA (LoCon rank 8)", "method=lora rank=8 alpha=8 conv_rank=8 "
            + "conv_alpha=8 lr=1e-3 steps=1500 batch=4 flip=true", "sks", true, "lora", "sks-lora.safetensors");
    public static final Method TEXTUAL_INVERSION = new Method("textual inversion", "method=ti token=<sks> "
            + "init_word=circle vectors=2 lr=5e-3 steps=1000 batch=4 flip=true", "<sks>", false, "embedding",
            "sks.safetensors");
    // min-SNR-γ 5 with a lower rate and longer run bound the ring without unlearning the base captions
    // (single-core trials: 2e-4 × 1000 × 2 gave 20 % concept, 1e-4 × 3000 × 4 with min-SNR 69 %).
    public static final Method DREAMBOOTH_PRIOR = new Method("DreamBooth + prior", "method=dreambooth "
            + "prior_mode=images class_prompt=[a circle on a white background] num_class_images=48 "
            + "prior_loss_weight=1 lr=1e-4 steps=3000 batch=4 min_snr_gamma=5 flip=true formats=diffusers", "sks",
            true, null, "sks-dreambooth-prior");
    public static final Method DREAMBOOTH = new Method("DreamBooth, no prior", "method=dreambooth prior_mode=off "
            + "lr=1e-4 steps=3000 batch=4 min_snr_gamma=5 flip=true formats=diffusers", "sks", true, null,
            "sks-dreambooth");
    public static final Method HYPERNETWORK = new Method("hypernetwork", "method=hypernetwork "
            + "layer_structure=1,2,1 lr=1e-3 steps=1500 batch=4 flip=true", "sks", true, "hypernet",
            "sks-hypernetwork.pt");
    public static final List<Method> METHODS = List.of(LORA, TEXTUAL_INVERSION, DREAMBOOTH_PRIOR, DREAMBOOTH,
            HYPERNETWORK);

    private SksConcept() {
    }

    /**
     * Writes the examples into {@code folder}, each captioned {@code a WORD on a white|black
     * background} ({@code sks}, or a textual inversion's placeholder such as {@code <sks>}).
     */
    private static void writeExamples(Path folder, String word, long seed) {
        List<ShapesWorld.Scene> scenes = new ArrayList<>();
        for (Background background : Background.values()) {
            scenes.addAll(ShapesWorld.scenes(List.of(new Content(Shape.RING, Colour.ORANGE, background)),
                    EXAMPLES / Background.values().length, seed + background.ordinal()));
        }
        ShapesDataset.write(folder, scenes, c -> "a " + word + " on a " + c.background().word() + " background");
    }

    /**
     * The training data of a method: the examples, and where it takes them the regularisation images
     * with their own captions in a kohya repeat folder ({@code 1_shapes}: once per epoch, as the
     * examples).
     */
    public static void writeData(Path folder, Method method, long seed) {
        writeExamples(folder, method.captionWord(), seed);
        if (method.regularised()) {
            ShapesDataset.write(folder.resolve("1_shapes"), ShapesWorld.scenes(Content.world(),
                    REGULARISATION_IMAGES, seed + 1));
        }
    }

    /**
     * The share of {@code seeds} seeded generations of {@link #PROMPT} that the evaluator reads as an
     * orange ring on white; {@code extraOptions} are generation macro keys (the adapter under test).
     */
    public static double rate(Generator generator, String model, String extraOptions, int seeds, long firstSeed) {
        return ShapesQuality.measure(generator, model, List.of(WANTED), List.of(PROMPT), seeds, firstSeed,
                extraOptions).rightShare();
    }
}
