package org.diffij.demo;

import java.io.PrintWriter;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.diffij.demo.ShapesEvaluator.Reading;
import org.diffij.demo.ShapesWorld.Content;
import org.diffij.demo.ShapesWorld.Shape;
import org.diffij.image.RgbImage;
import org.diffij.pipelines.GenerationRequest;
import org.diffij.pipelines.GenerationResult;
import org.diffij.pipelines.Generator;

/**
 * How well a model draws the shapes world: seeded generations per caption, each read by the
 * {@link ShapesEvaluator} and compared with what its prompt asked for. The settings are the demo
 * model's quality goal: 20 steps of DPM++ 2M Karras at CFG 7, 64×64.
 */
public final class ShapesQuality {

    public static final String SAMPLER = "DPM++ 2M Karras";
    public static final int STEPS = 20;
    public static final double CFG = 7;

    /** Readings compared with what was wanted: the shares right and the shape confusion table. */
    public static final class Tally {

        private int images;
        private int right;
        private int shapes;
        private int colours;
        private int backgrounds;
        private final Map<Shape, Map<String, Integer>> confusion = new EnumMap<>(Shape.class);

        public void add(Reading reading, Content wanted) {
            images++;
            right += reading.matches(wanted) ? 1 : 0;
            shapes += reading.shape() == wanted.shape() ? 1 : 0;
            colours += reading.colour() == wanted.colour() ? 1 : 0;
            backgrounds += reading.background() == wanted.background() ? 1 : 0;
            confusion.computeIfAbsent(wanted.shape(), s -> new LinkedHashMap<>())
                    .merge(reading.shape() == null ? "none" : reading.shape().word(), 1, Integer::sum);
        }

        public int images() {
            return images;
        }

        /** The share of images with the right shape, colour and background. */
        public double rightShare() {
            return images == 0 ? 0 : (double) right / images;
        }

        /** One line of shares, then the confusion table (wanted shape by row, read shape by column). */
        public void print(PrintWriter out) {
            out.printf(Locale.ROOT, "%d images: %.1f %% right (shape %.1f %%, colour %.1f %%, background %.1f %%)%n",
                    images, 100 * rightShare(), share(shapes), share(colours), share(backgrounds));
            out.printf(Locale.ROOT, "%-10s", "wanted");
            for (Shape shape : Shape.values()) {
                out.printf(Locale.ROOT, "%9s", shape.word());
            }
            out.printf(Locale.ROOT, "%9s%n", "none");
            confusion.forEach((shape, row) -> {
                out.printf(Locale.ROOT, "%-10s", shape.word());
                for (Shape read : Shape.values()) {
                    out.printf(Locale.ROOT, "%9d", row.getOrDefault(read.word(), 0));
                }
                out.printf(Locale.ROOT, "%9d%n", row.getOrDefault("none", 0));
            });
            out.flush();
        }

        private double share(int count) {
            return images == 0 ? 0 : 100.0 * count / images;
        }
    }

    private ShapesQuality() {
    }

    /**
     * Generates {@code seeds} images (seeds {@code firstSeed}, {@code firstSeed + 1}, ...) of each
     * caption with {@code generator} and tallies what they show; {@code extraOptions} are macro keys
     * added to every request (adapters, embeddings in the prompt are part of {@code prompt}).
     */
    public static Tally measure(Generator generator, String model, List<Content> wanted, List<String> prompts,
            int seeds, long firstSeed, String extraOptions) {
        Tally tally = new Tally();
        for (int i = 0; i < wanted.size(); i++) {
            for (int from = 0; from < seeds; from += GenerationRequest.MAX_BATCH) {
                int batch = Math.min(GenerationRequest.MAX_BATCH, seeds - from);
                GenerationRequest request = GenerationRequest.fromMacroOptions(String.format(Locale.ROOT,
                        "model=[%s] prompt=[%s] sampler=[%s] steps=%d cfg=%s seed=%d width=%d height=%d batch=%d %s",
                        model, prompts.get(i), SAMPLER, STEPS, CFG, firstSeed + from, ShapesWorld.SIZE,
                        ShapesWorld.SIZE, batch, extraOptions));
                GenerationResult result = generator.submit(request, source -> {
                    throw new IllegalArgumentException("a shapes-world generation reads no images");
                }, null).await();
                for (RgbImage image : result.images()) {
                    tally.add(ShapesEvaluator.read(image), wanted.get(i));
                }
            }
        }
        return tally;
    }

    /** {@link #measure} over every caption of the world, each prompted by its own caption. */
    public static Tally world(Generator generator, String model, int seeds, long firstSeed, String extraOptions) {
        List<Content> world = Content.world();
        return measure(generator, model, world, world.stream().map(Content::caption).toList(), seeds, firstSeed,
                extraOptions);
    }
}
