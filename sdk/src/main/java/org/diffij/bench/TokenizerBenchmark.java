package org.diffij.bench;

import org.diffij.text.ClipTokenizer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.diffij.DiffijException;
import org.diffij.bench.BenchOptions;
import org.diffij.bench.Benchmark;
import org.diffij.bench.Benchmarks;
import org.diffij.parity.GoldenData;

/**
 * Tokenises 10,000 varied prompts padded to 77 with the CLIP vocabulary of the golden tiny-sd15
 * model (or the tokenizer folder in {@code -Ddiffij.bench.tokenizer=DIR}): once with an empty merge
 * cache, then warm.
 */
public final class TokenizerBenchmark implements Benchmark {

    private static final int PROMPTS = 10_000;
    private static final String[] WORDS = {"portrait", "landscape", "castle", "astronaut", "horse", "dragon",
        "cinematic", "lighting", "volumetric", "detailed", "masterpiece", "octane", "render", "trending",
        "artstation", "watercolor", "oil", "painting", "sunset", "forest", "cyberpunk", "neon", "city", "rain",
        "reflections", "bokeh", "35mm", "photo", "ultra", "sharp", "focus", "golden", "hour", "café", "Zürich",
        "(best quality:1.2)", "[blurry]", "8k", "uhd", "&amp;", "“quoted”", "猫", "emoji 🎉", "don't", "it's"};

    @Override
    public String name() {
        return "tokenizer";
    }

    @Override
    public String description() {
        return "CLIP tokenizer: 10,000 prompts to padded ids, cold and warm merge cache";
    }

    @Override
    public void run(BenchOptions options, PrintStream out) throws Exception {
        Path folder = tokenizerFolder();
        List<String> prompts = prompts();
        ClipTokenizer[] fresh = new ClipTokenizer[1];
        double[] load = Benchmarks.time(new BenchOptions(0, 1), () -> fresh[0] = ClipTokenizer.load(folder));
        out.println(Benchmarks.line("tokenizer load (vocab + merges)", load));
        double[] cold = Benchmarks.time(new BenchOptions(0, 1), () -> encodeAll(fresh[0], prompts));
        out.println(Benchmarks.line(String.format(Locale.ROOT, "tokenize %d prompts, cold cache", PROMPTS), cold));
        double[] warm = Benchmarks.time(options, () -> encodeAll(fresh[0], prompts));
        out.println(Benchmarks.line(String.format(Locale.ROOT, "tokenize %d prompts, warm cache", PROMPTS), warm));
    }

    private static long encodeAll(ClipTokenizer tokenizer, List<String> prompts) {
        long sum = 0;
        for (String prompt : prompts) {
            sum += tokenizer.encodePadded(prompt).untruncatedLength();
        }
        return sum;
    }

    private static List<String> prompts() {
        Random random = new Random(42);
        List<String> prompts = new ArrayList<>(PROMPTS);
        for (int i = 0; i < PROMPTS; i++) {
            StringBuilder prompt = new StringBuilder("a photo of ");
            int words = 5 + random.nextInt(30);
            for (int w = 0; w < words; w++) {
                prompt.append(WORDS[random.nextInt(WORDS.length)]);
                prompt.append(random.nextInt(4) == 0 ? ", " : " ");
            }
            prompt.append("seed").append(random.nextInt(100_000));
            prompts.add(prompt.toString());
        }
        return prompts;
    }

    /** The CLIP tokenizer folder benchmarks use: {@code -Ddiffij.bench.tokenizer=DIR}, else the golden tiny-sd15 one. */
    public static Path tokenizerFolder() {
        String property = System.getProperty("diffij.bench.tokenizer");
        if (property != null) {
            return Path.of(property);
        }
        return GoldenData.manifestFile().map(m -> m.resolveSibling("models").resolve("tiny-sd15").resolve("tokenizer"))
                .orElseThrow(() -> new DiffijException("no CLIP tokenizer folder: pass -Ddiffij.bench.tokenizer=DIR "
                        + "(a diffusers tokenizer/ folder) or run beside ../shared/golden"));
    }
}
