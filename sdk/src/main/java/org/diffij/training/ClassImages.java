package org.diffij.training;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.diffij.DiffijException;
import org.diffij.engine.ProgressListener;
import org.diffij.image.PngFiles;
import org.diffij.io.AtomicFiles;
import org.diffij.pipelines.GenerationRequest;
import org.diffij.pipelines.GenerationResult;
import org.diffij.pipelines.Generator;

/**
 * DreamBooth's class images, as diffusers' {@code train_dreambooth.py} prepares them: when the class
 * folder holds fewer images than asked for, the base model generates the missing ones from the class
 * prompt before training. Each generated image is cached in the folder as {@code class-NNNNN.png}
 * with its prompt and seed (A1111's {@code parameters} text, seed = base seed + N) and the prompt as
 * its caption file, so a later run reuses it; images already in the folder are never touched.
 */
public final class ClassImages {

    /**
     * How missing class images are made: the model, prompt and size; how many the folder must hold;
     * the base seed and the sampling (train_dreambooth.py: the model's own scheduler, 50 steps, guidance 7.5).
     */
    public record Settings(String model, String prompt, int count, int width, int height, long seed, String sampler,
            int steps, double cfgScale) {

        public Settings {
            if (prompt == null || prompt.isBlank()) {
                throw new DiffijException("class images need a class_prompt, e.g. class_prompt=[a photo of a dog]");
            }
            if (count < 1) {
                throw new DiffijException("num_class_images must be 1 or more, not " + count);
            }
        }
    }

    private ClassImages() {
    }

    /**
     * Makes {@code folder} hold at least {@code settings.count()} images, generating the missing ones
     * with {@code generator} one job at a time (blocking until they are written); returns every image
     * of the folder, sorted by name.
     *
     * @param listener receives each generation's progress prefixed with the image's number, or null
     */
    public static List<Path> ensure(Path folder, Settings settings, Generator generator, ProgressListener listener) {
        if (Files.exists(folder) && !Files.isDirectory(folder)) {
            throw new DiffijException(folder + ": class_dir is a file; name a folder for the class images");
        }
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new DiffijException(folder + ": cannot create the class images folder (" + e.getMessage() + ")", e);
        }
        List<Path> images = images(folder);
        int missing = settings.count() - images.size();
        for (int made = 0, index = 0; made < missing; index++) {
            Path file = folder.resolve(String.format(Locale.ROOT, "class-%05d.png", index));
            Path caption = folder.resolve(String.format(Locale.ROOT, "class-%05d.txt", index));
            if (Files.exists(file) || Files.exists(caption)) {
                continue;
            }
            long seed = settings.seed() + index;
            GenerationRequest request = GenerationRequest.of(settings.model(), settings.prompt())
                    .withSize(settings.width(), settings.height(), 1).withSeed(seed)
                    .withSampling(settings.sampler(), settings.steps(), settings.cfgScale());
            String prefix = String.format(Locale.ROOT, "class image %d/%d: ", made + 1, missing);
            GenerationResult result = generator.submit(request, source -> {
                throw new DiffijException("class images are generated from text only, not from '" + source + "'");
            }, listener == null ? null : (done, total, message) -> listener.progress(done, total, prefix + message))
                    .await();
            // The image first: a caption without its image would make the folder unreadable as training data.
            PngFiles.write(file, result.images().get(0), Map.of("parameters", result.parameters()));
            try {
                AtomicFiles.write(caption, target -> Files.writeString(target, settings.prompt() + "\n",
                        StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new DiffijException(caption + ": cannot be written (" + e.getMessage() + ")", e);
            }
            made++;
        }
        return images(folder);
    }

    /** The images directly in {@code folder} (the extensions training data reads), sorted by name. */
    static List<Path> images(Path folder) {
        try (Stream<Path> entries = Files.list(folder)) {
            List<Path> images = new ArrayList<>();
            entries.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
                    .filter(p -> !p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".mask.png"))
                    .filter(p -> TrainingData.IMAGE_EXTENSIONS.contains(extension(p))).sorted().forEach(images::add);
            return images;
        } catch (IOException e) {
            throw new DiffijException(folder + ": cannot be listed (" + e.getMessage() + ")", e);
        }
    }

    private static String extension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
    }
}
