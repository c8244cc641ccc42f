package org.diffij.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.diffij.DiffijException;
import org.diffij.DiffijVersion;
import org.diffij.demo.DemoTraining;
import org.diffij.demo.ShapesDataset;
import org.diffij.demo.ShapesEvaluator;
import org.diffij.demo.ShapesQuality;
import org.diffij.demo.ShapesWorld;
import org.diffij.demo.ShapesWorld.Content;
import org.diffij.image.PngFiles;
import org.diffij.pipelines.Generator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "The shapes world of Diffij's demo model: 64x64 images of a red, green, blue or yellow circle, "
                + "square or triangle on a white or black background, captioned 'a red circle on a white background'.",
        subcommands = {DemoCommand.Data.class, DemoCommand.Train.class, DemoCommand.Score.class,
            DemoCommand.Quality.class})
final class DemoCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "data", mixinStandardHelpOptions = true,
            description = "Writes shapes-world images with same-name .txt captions (the caption is also the PNG's "
                    + "parameters text, which Fiji shows as the slice label); the same seed gives the same files.")
    static final class Data implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "folder to write into")
        Path out;

        @Option(names = "--count", paramLabel = "N", defaultValue = "240", description = "images (default 240)")
        int count;

        @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "seed (default 0)")
        long seed;

        @Override
        public Integer call() {
            List<Path> written = ShapesDataset.write(out, ShapesWorld.scenes(Content.world(), count, seed));
            spec.commandLine().getOut().printf(Locale.ROOT, "wrote %d images with captions into %s%n",
                    written.size(), out);
            return 0;
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Trains the demo model from nothing on the shapes world (the VAE, then the UNet with "
                    + "Diffij's own trainer; the text encoder stays at its seeded initialisation) and writes it as "
                    + "a diffusers folder; the same seed gives the same model on the same machine kind.")
    static final class Train implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "the model folder to write")
        Path out;

        @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "seed (default 0)")
        long seed;

        @Option(names = "--images", paramLabel = "N", description = "training images (default 2400)")
        Integer images;

        @Option(names = "--vae-steps", paramLabel = "N", description = "VAE steps (default 1500)")
        Integer vaeSteps;

        @Option(names = "--unet-steps", paramLabel = "N", description = "UNet steps (default 6000)")
        Integer unetSteps;

        @Override
        public Integer call() {
            DemoTraining.Settings d = DemoTraining.Settings.DEFAULTS;
            DemoTraining.Settings settings = new DemoTraining.Settings(seed, images != null ? images : d.images(),
                    vaeSteps != null ? vaeSteps : d.vaeSteps(), d.vaeBatch(), d.vaeLr(), d.klWeight(),
                    unetSteps != null ? unetSteps : d.unetSteps(), d.unetBatch(), d.unetLr());
            PrintWriter out = spec.commandLine().getOut();
            DemoTraining.train(this.out, settings, DiffijVersion.label(), line -> {
                out.println(line);
                out.flush();
            });
            out.println("wrote " + this.out);
            return 0;
        }
    }

    @Command(name = "quality", mixinStandardHelpOptions = true,
            description = {"Measures the demo model's quality goal: --seeds seeded generations of each of the 24 "
                    + "captions (" + ShapesQuality.STEPS + " steps, " + ShapesQuality.SAMPLER + ", CFG "
                    + "7, 64x64), each read by the evaluator of 'demo score'.",
                "Prints the share right, per attribute and together, and the shape confusion table."})
    static final class Quality implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--model", defaultValue = "demo", paramLabel = "MODEL",
                description = "the model to measure (default: demo)")
        String model;

        @Option(names = "--seeds", defaultValue = "64", paramLabel = "N", description = "images per caption "
                + "(default 64)")
        int seeds;

        @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "the first seed (default 0)")
        long seed;

        @Option(names = "--adapters", paramLabel = "KIND|FILE|WEIGHT;...", description = "adapters loaded for every "
                + "generation, as the adapters macro key takes them (e.g. lora|sks.safetensors|1): how well a "
                + "trained adapter preserves what the model drew")
        String adapters;

        @Override
        public Integer call() {
            if (seeds < 1 || seeds > 10_000) {
                throw new DiffijException("--seeds must be 1..10000, not " + seeds);
            }
            long started = System.nanoTime();
            ShapesQuality.Tally tally = ShapesQuality.world(new Generator(Generator.inFolders(List.of()), null,
                    DiffijVersion.label()), model, seeds, seed, adapters == null ? "" : "adapters=[" + adapters + "]");
            PrintWriter out = spec.commandLine().getOut();
            tally.print(out);
            out.printf(Locale.ROOT, "generated and read in %.0f s%n", (System.nanoTime() - started) / 1e9);
            return 0;
        }
    }

    @Command(name = "score", mixinStandardHelpOptions = true,
            description = {"Reads what each shapes-world image shows (shape, colour, background) and compares it "
                    + "with its caption: the prompt of its parameters text, a same-name .txt, or --expect.",
                "Prints the share right, per attribute and together, and the shape confusion table."})
    static final class Score implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "IMAGES", arity = "1..*", description = "PNG files or folders of them")
        List<Path> images;

        @Option(names = "--expect", paramLabel = "CAPTION",
                description = "the caption every image should show, instead of each image's own")
        String expect;

        @Option(names = "--verbose", description = "one line per image")
        boolean verbose;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            Content expected = expect == null ? null : parse(expect, "--expect");
            ShapesQuality.Tally tally = new ShapesQuality.Tally();
            for (Path file : pngs(images)) {
                Content wanted = expected != null ? expected : captionOf(file);
                ShapesEvaluator.Reading reading = ShapesEvaluator.read(PngFiles.read(file));
                tally.add(reading, wanted);
                if (verbose) {
                    out.printf(Locale.ROOT, "%s: %s (%s)%n", file, reading, reading.matches(wanted) ? "right"
                            : "wanted " + wanted.caption());
                }
            }
            tally.print(out);
            return 0;
        }

        private static List<Path> pngs(List<Path> paths) throws IOException {
            List<Path> files = new ArrayList<>();
            for (Path path : paths) {
                if (Files.isDirectory(path)) {
                    try (Stream<Path> listing = Files.list(path)) {
                        listing.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png"))
                                .sorted().forEach(files::add);
                    }
                } else if (Files.isRegularFile(path)) {
                    files.add(path);
                } else {
                    throw new DiffijException(path + ": no such image or folder");
                }
            }
            if (files.isEmpty()) {
                throw new DiffijException(paths + " hold no PNG images to score");
            }
            return files;
        }

        private static Content captionOf(Path image) throws IOException {
            String parameters = PngFiles.readText(image).get("parameters");
            if (parameters != null) {
                return parse(parameters.lines().findFirst().orElse(""), image.toString());
            }
            Path text = image.resolveSibling(image.getFileName().toString().replaceFirst("(?i)\\.png$", ".txt"));
            if (Files.isRegularFile(text)) {
                return parse(Files.readString(text, StandardCharsets.UTF_8), text.toString());
            }
            throw new DiffijException(image + ": has no caption (no parameters text, no same-name .txt); "
                    + "pass --expect CAPTION");
        }

        private static Content parse(String caption, String where) {
            Content content = Content.parse(caption);
            if (content == null) {
                throw new DiffijException(where + ": '" + caption.strip() + "' is not a shapes-world caption "
                        + "('a red circle on a white background', 'a orange ring on a black background')");
            }
            return content;
        }
    }
}
