package org.diffij.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.diffij.demo.ShapesQuality;
import org.diffij.demo.ShapesWorld;
import org.diffij.demo.SksConcept;
import org.diffij.hub.BuiltInModels;
import org.diffij.io.AtomicFiles;
import org.diffij.pipelines.Generator;
import org.diffij.training.Trainer;
import org.diffij.training.TrainingRequest;

/**
 * Teaches the demo model a concept it never saw — {@code sks}, an orange ring — from six images,
 * by each training method with its defaults scaled to this small model, and measures what each
 * learnt and what each kept: the concept rate (64 seeded generations of {@code a sks on a white
 * background} read as an orange ring on white) and the preservation rate (16 seeds of each of the
 * 24 base captions still drawn right with the adapter loaded), beside training time and file size. The base model
 * without adapter is the first row (concept rate ≈ 0).
 */
public final class ConceptsBenchmark implements Benchmark {

    /** Seeded generations of the concept's prompt, as the quality goal counts them. */
    private static final int CONCEPT_SEEDS = 64;
    /** Seeded generations per base caption for the preservation rate (24 captions: 384 images a row). */
    private static final int PRESERVATION_SEEDS = 16;
    private static final long SEED = 0;

    @Override
    public String name() {
        return "concepts";
    }

    @Override
    public String description() {
        return "teaches the demo model 'sks' (an orange ring) from 6 images by LoRA, textual inversion, DreamBooth "
                + "with and without prior preservation and a hypernetwork; prints time, size, concept and "
                + "preservation rates";
    }

    @Override
    public void run(BenchOptions options, PrintStream console) throws Exception {
        PrintWriter out = new PrintWriter(console, true, StandardCharsets.UTF_8);
        Generator generator = new Generator(Generator.byPath(), null, "Diffij benchmark");
        String base = Generator.byPath().apply(BuiltInModels.DEMO).toString();
        Path work = Files.createTempDirectory("diffij-concepts");
        try {
            out.printf(Locale.ROOT, "%-24s%10s%12s%10s%14s%n", "method", "train s", "file MB", "concept",
                    "preservation");
            out.println(row("base model, no adapter", 0, 0, generator, base, ""));
            for (int i = 0; i < SksConcept.METHODS.size(); i++) {
                SksConcept.Method method = SksConcept.METHODS.get(i);
                Path data = work.resolve("data-" + i);
                SksConcept.writeData(data, method, SEED);
                Path output = Files.createDirectories(work.resolve("out-" + i)).resolve(method.outputName());
                TrainingRequest request = TrainingRequest.fromMacroOptions(method.options() + " model=[" + base
                        + "] data=[" + data + "] output=[" + output + "] resolution=" + ShapesWorld.SIZE + " seed="
                        + SEED + (method.options().contains("prior_mode=images") ? " class_dir=["
                        + work.resolve("class-images") + "]" : ""));
                long started = System.nanoTime();
                Trainer.Result result = new Trainer(Generator.byPath(), null, "Diffij benchmark")
                        .submit(request, null, false, null, null).await();
                double seconds = (System.nanoTime() - started) / 1e9;
                Path written = result.outputs().get(0);
                String model = method.adapterKind() == null ? written.toString() : base;
                String adapter = method.adapterKind() == null ? ""
                        : "adapters=[" + method.adapterKind() + "|" + written + "|1]";
                out.println(row(method.label(), seconds, size(written), generator, model, adapter));
            }
        } finally {
            AtomicFiles.deleteTree(work);
        }
    }

    private static String row(String label, double seconds, long bytes, Generator generator, String model,
            String adapter) {
        double concept = SksConcept.rate(generator, model, adapter, CONCEPT_SEEDS, SEED);
        double preserved = ShapesQuality.world(generator, model, PRESERVATION_SEEDS, SEED, adapter).rightShare();
        return String.format(Locale.ROOT, "%-24s%10.0f%12.3f%9.1f%%%13.1f%%", label, seconds, bytes / 1e6,
                100 * concept, 100 * preserved);
    }

    private static long size(Path output) throws IOException {
        try (Stream<Path> files = Files.walk(output)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }
}
