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

    private SksConcept() {
    }

    /**
     * Writes the examples into {@code folder}, each captioned {@code a WORD on a white|black
     * background} ({@code sks}, or a textual inversion's placeholder such as {@code <sks>}).
     */
    public static void writeExamples(Path folder, String word, long seed) {
        List<ShapesWorld.Scene> scenes = new ArrayList<>();
        for (Background background : Background.values()) {
            scenes.addAll(ShapesWorld.scenes(List.of(new Content(Shape.RING, Colour.ORANGE, background)),
                    EXAMPLES / Background.values().length, seed + background.ordinal()));
        }
        ShapesDataset.write(folder, scenes, c -> "a " + word + " on a " + c.background().word() + " background");
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
