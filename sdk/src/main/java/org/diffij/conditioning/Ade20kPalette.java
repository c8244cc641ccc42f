package org.diffij.conditioning;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.IntegerType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import org.diffij.DiffijException;

/**
 * The 150 ADE20K classes and the colours the segmentation ControlNet was trained on (mmseg's
 * {@code get_palette('ade')}, painted at opacity 1 by ControlNet's UniFormer annotator; OneFormer's
 * ADE20K annotator uses the same colours). Label {@code l} in 0..149 is class {@code l} (mmseg's
 * reduce_zero_label numbering: 0 = wall). Labels 6 (road) and 48 (skyscraper) share a colour.
 */
public final class Ade20kPalette {

    public static final int CLASSES = 150;

    private static final Ade20kPalette INSTANCE = load();

    private final int[][] rgb;
    private final List<String> names;

    private Ade20kPalette(int[][] rgb, List<String> names) {
        this.rgb = rgb;
        this.names = List.copyOf(names);
    }

    public static Ade20kPalette get() {
        return INSTANCE;
    }

    /** The RGB colour of a label, each component 0..255. */
    public int[] colour(int label) {
        checkLabel(label, null);
        return rgb[label].clone();
    }

    /** The class name of a label as upstream spells it. */
    public String name(int label) {
        checkLabel(label, null);
        return names.get(label);
    }

    /**
     * The colour map of a 2-D label image: an 8-bit (x, y, 3) RGB image with every pixel the colour
     * of its label. A label outside 0..149 is refused (upstream would paint it black, which turns a
     * wrong label image into a plausible-looking conditioning map); the message names the first
     * such value in row-major order and where it is.
     */
    public Img<UnsignedByteType> colorize(
            RandomAccessibleInterval<? extends IntegerType<?>> labels) {
        Planes.requirePlane(labels, "label image");
        int width = Planes.width(labels);
        int height = Planes.height(labels);
        int n = width * height;
        byte[] out = new byte[3 * n];
        RandomAccess<? extends IntegerType<?>> in = labels.randomAccess();
        for (int y = 0; y < height; y++) {
            in.setPosition(labels.min(0), 0);
            in.setPosition(labels.min(1) + y, 1);
            for (int x = 0; x < width; x++) {
                long label = in.get().getIntegerLong();
                checkLabel(label, "at x=" + x + ", y=" + y);
                int[] colour = rgb[(int) label];
                int i = y * width + x;
                out[i] = (byte) colour[0];
                out[n + i] = (byte) colour[1];
                out[2 * n + i] = (byte) colour[2];
                in.fwd(0);
            }
        }
        return ArrayImgs.unsignedBytes(out, width, height, 3);
    }

    private static void checkLabel(long label, String where) {
        if (label < 0 || label >= CLASSES) {
            throw new DiffijException("label " + label + (where == null ? "" : " " + where)
                    + " is not an ADE20K class: labels must be 0.." + (CLASSES - 1)
                    + " (0 = wall); relabel the image or set unknown regions to a real class");
        }
    }

    private static Ade20kPalette load() {
        int[][] rgb = new int[CLASSES][];
        List<String> names = new ArrayList<>();
        try (InputStream stream = Ade20kPalette.class.getResourceAsStream("ade20k.tsv")) {
            if (stream == null) {
                throw new IllegalStateException("ade20k.tsv is missing from the Diffij SDK jar");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String[] fields = line.split("\t", 5);
                int label = Integer.parseInt(fields[0]);
                if (label != names.size()) {
                    throw new IllegalStateException("ade20k.tsv lists label " + label + " out of order");
                }
                rgb[label] = new int[] {Integer.parseInt(fields[1]), Integer.parseInt(fields[2]),
                        Integer.parseInt(fields[3])};
                names.add(fields[4]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (names.size() != CLASSES) {
            throw new IllegalStateException("ade20k.tsv lists " + names.size() + " classes, not " + CLASSES);
        }
        return new Ade20kPalette(rgb, names);
    }
}
