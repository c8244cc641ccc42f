package org.diffij.plugin;

import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.Roi;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.imglib2.img.Img;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import org.diffij.DiffijException;
import org.diffij.conditioning.InpaintMask;
import org.diffij.conditioning.Polyline;
import org.diffij.image.RgbImage;
import org.diffij.pipelines.ImageSources;

/**
 * The image sources of a request in ImageJ: names are window titles. Three forms are understood,
 * and they are what the commands record in a request, so that a re-run finds its sources again:
 * <ul>
 * <li>{@code TITLE}: the image's current slice;</li>
 * <li>{@code TITLE slice N}: slice N (1-based stack index) of the image;</li>
 * <li>{@code selection of TITLE (grow G, feather F)}: the inpainting mask of the image's area
 * selection, grown and feathered by {@link InpaintMask}.</li>
 * </ul>
 * Gray images (8, 16, 32 bit) become RGB through their display range, as ImageJ shows them.
 */
public final class WindowImages implements ImageSources {

    private static final Pattern SLICE = Pattern.compile("(.*) slice (\\d+)");
    private static final Pattern SELECTION = Pattern.compile("selection of (.*) \\(grow (\\S+), feather (\\S+)\\)");

    private final Map<String, ImagePlus> known = new LinkedHashMap<>();

    /** Sources among the open windows and, first, the given images (which need not be shown). */
    public WindowImages(ImagePlus... images) {
        for (ImagePlus image : images) {
            if (image != null) {
                known.put(image.getTitle(), image);
            }
        }
    }

    public static String sliceName(ImagePlus image, int slice) {
        return image.getStackSize() == 1 ? image.getTitle() : image.getTitle() + " slice " + slice;
    }

    public static String selectionName(ImagePlus image, double grow, double feather) {
        return String.format(Locale.ROOT, "selection of %s (grow %s, feather %s)", image.getTitle(), number(grow),
                number(feather));
    }

    @Override
    public RgbImage image(String source) {
        Matcher selection = SELECTION.matcher(source);
        if (selection.matches()) {
            ImagePlus image = window(selection.group(1));
            return mask(image, Double.parseDouble(selection.group(2)), Double.parseDouble(selection.group(3)));
        }
        ImagePlus exact = find(source);
        if (exact != null) {
            return rgb(exact.getProcessor());
        }
        Matcher slice = SLICE.matcher(source);
        if (slice.matches()) {
            ImagePlus image = window(slice.group(1));
            int index = Integer.parseInt(slice.group(2));
            if (index < 1 || index > image.getStackSize()) {
                throw new DiffijException("'" + image.getTitle() + "' has " + image.getStackSize()
                        + " slices, not a slice " + index);
            }
            return rgb(image.getStack().getProcessor(index));
        }
        throw new DiffijException("no open image is titled '" + source + "': open it (or rename the image) and run again");
    }

    /** The inpainting mask (white = repaint) of the image's area selection. */
    public static RgbImage mask(ImagePlus image, double grow, double feather) {
        Roi roi = image.getRoi();
        if (roi == null || !roi.isArea()) {
            throw new DiffijException("'" + image.getTitle() + "' has no area selection: select the region to "
                    + "repaint (rectangle, oval, polygon, freehand) and run again");
        }
        List<List<Polyline>> areas = new ArrayList<>();
        areas.add(Selections.outlines(roi));
        Img<UnsignedByteType> mask = new InpaintMask(grow, feather).drawAreas(areas, image.getWidth(),
                image.getHeight());
        float[] rgb = new float[3 * image.getWidth() * image.getHeight()];
        int i = 0;
        for (UnsignedByteType value : mask) {
            float v = value.get() / 255f;
            rgb[3 * i] = v;
            rgb[3 * i + 1] = v;
            rgb[3 * i + 2] = v;
            i++;
        }
        return new RgbImage(image.getWidth(), image.getHeight(), rgb);
    }

    /** A processor of any type as RGB: colour as it is, gray through its display range. */
    public static RgbImage rgb(ImageProcessor ip) {
        ColorProcessor color = ip instanceof ColorProcessor c ? c : (ColorProcessor) ip.convertToColorProcessor();
        return RgbImage.fromPackedRgb(color.getWidth(), color.getHeight(), (int[]) color.getPixels());
    }

    private ImagePlus window(String title) {
        ImagePlus image = find(title);
        if (image == null) {
            throw new DiffijException("no open image is titled '" + title + "': open it and run again");
        }
        return image;
    }

    private ImagePlus find(String title) {
        ImagePlus image = known.get(title);
        return image != null ? image : WindowManager.getImage(title);
    }

    private static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
