package org.diffij.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.diffij.DiffijException;
import org.diffij.demo.ShapesWorld.Content;
import org.diffij.demo.ShapesWorld.Scene;
import org.diffij.image.PngFiles;
import org.diffij.io.AtomicFiles;

/**
 * A shapes data set on disk as every trainer reads one: {@code shape-NNNNN.png} with its caption in a
 * same-name {@code .txt} (and in the PNG's {@code parameters} text, so the scorer and Fiji read it
 * too). Existing files are never replaced.
 */
public final class ShapesDataset {

    private ShapesDataset() {
    }

    /** Writes {@code scenes} into {@code folder}, each captioned by its content; returns the image files in order. */
    public static List<Path> write(Path folder, List<Scene> scenes) {
        return write(folder, scenes, Content::caption);
    }

    /** As {@link #write(Path, List)}, with captions of this rule ({@code a sks on a white background}). */
    public static List<Path> write(Path folder, List<Scene> scenes, Function<Content, String> captions) {
        List<Path> images = new ArrayList<>();
        for (int i = 0; i < scenes.size(); i++) {
            String stem = String.format(Locale.ROOT, "shape-%05d", i);
            Path image = folder.resolve(stem + ".png");
            Path caption = folder.resolve(stem + ".txt");
            if (Files.exists(image) || Files.exists(caption)) {
                throw new DiffijException(image + " already exists: write the data set into an empty folder");
            }
            images.add(image);
        }
        for (int i = 0; i < scenes.size(); i++) {
            String text = captions.apply(scenes.get(i).content());
            PngFiles.write(images.get(i), scenes.get(i).image(), Map.of("parameters", text));
            Path caption = images.get(i).resolveSibling(images.get(i).getFileName().toString()
                    .replaceFirst("\\.png$", ".txt"));
            try {
                AtomicFiles.write(caption, file -> Files.writeString(file, text + "\n", StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new DiffijException(caption + ": cannot be written (" + e.getMessage() + ")", e);
            }
        }
        return images;
    }
}
