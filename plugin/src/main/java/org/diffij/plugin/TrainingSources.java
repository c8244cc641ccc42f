package org.diffij.plugin;

import ij.CompositeImage;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.measure.Calibration;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import ij.process.LUT;
import java.awt.GraphicsEnvironment;
import java.awt.Rectangle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import org.diffij.DiffijException;
import org.diffij.conditioning.PercentileNormalisation;
import org.diffij.image.ImageFiles;
import org.diffij.pipelines.MacroOptions;
import org.diffij.training.DataOptions;
import org.diffij.training.ImageSample;

/**
 * The training data a Fiji training command names in its {@code data} key, read from the open
 * windows (never modified). One or more sources separated by {@code ;}:
 * <ul>
 * <li>{@code stack:TITLE} — every slice of the window (every channel, slice and frame of a
 * hyperstack, in stack order), or {@code stack:TITLE slices A-B} a range of stack indices; the
 * caption is the slice label's first line, else the title without extension;</li>
 * <li>{@code rois:TITLE} — each ROI of the ROI Manager (or, without one, of the image's overlay)
 * as a crop of its bounds from the slice it belongs to (the current slice when it has none); the
 * caption is the ROI's name;</li>
 * <li>{@code masked} after either: the loss counts only inside the area — the image's area
 * selection for a stack, each ROI's own shape for ROIs — and the rest is context only.</li>
 * </ul>
 * Anything else is a folder, which the trainer reads itself. Gray images (8, 16, 32 bit) become RGB
 * as the request's {@code normalise} says: through their display range (each channel's of a
 * composite image), or between each slice's 0.5th and 99.5th percentiles by the conditioning
 * commands' rule ({@link PercentileNormalisation}); colour stays as it is. Each sample's provenance
 * records its slice, ROI, the intensities mapped to 0..255 and the calibration.
 */
public final class TrainingSources {

    private static final Pattern SOURCE = Pattern.compile("(stack|rois):(.+?)(?: slices (\\d+)-(\\d+))?( masked)?");

    private TrainingSources() {
    }

    /** Whether the {@code data} key names open windows (else it is a folder). */
    public static boolean namesWindows(String data) {
        for (String part : data.split(";")) {
            if (SOURCE.matcher(part.strip()).matches()) {
                return true;
            }
        }
        return false;
    }

    /** The {@code data} value for every slice of {@code image} (and the key's default in the dialogs). */
    public static String stackOf(ImagePlus image) {
        return "stack:" + image.getTitle();
    }

    /**
     * The samples the {@code data} key names, gray images mapped to 8 bits as {@code normalise} says; the
     * windows are found among the open images and {@code known}.
     */
    public static List<ImageSample> samples(String data, DataOptions.Normalise normalise, ImagePlus... known) {
        List<ImageSample> samples = new ArrayList<>();
        for (String part : data.split(";")) {
            Matcher m = SOURCE.matcher(part.strip());
            if (!m.matches()) {
                throw new DiffijException("'" + part.strip() + "' is not a training source: use stack:TITLE, "
                        + "stack:TITLE slices A-B, rois:TITLE (each optionally followed by ' masked'), or a folder alone");
            }
            ImagePlus image = window(m.group(2), known);
            boolean masked = m.group(5) != null;
            if (m.group(1).equals("stack")) {
                int first = m.group(3) == null ? 1 : Integer.parseInt(m.group(3));
                int last = m.group(4) == null ? image.getStackSize() : Integer.parseInt(m.group(4));
                samples.addAll(slices(image, first, last, masked, normalise));
            } else {
                samples.addAll(rois(image, masked, normalise));
            }
        }
        return samples;
    }

    private static List<ImageSample> slices(ImagePlus image, int first, int last, boolean masked,
            DataOptions.Normalise normalise) {
        if (first < 1 || last > image.getStackSize() || first > last) {
            throw new DiffijException("'" + image.getTitle() + "' has slices 1-" + image.getStackSize()
                    + ", not " + first + "-" + last);
        }
        Roi area = image.getRoi();
        if (masked && (area == null || !area.isArea())) {
            throw new DiffijException("'" + image.getTitle() + "' has no area selection to mask the loss with: "
                    + "select the area to learn, or leave out 'masked'");
        }
        int[] mask = masked ? inside(area, new Rectangle(0, 0, image.getWidth(), image.getHeight())) : null;
        List<ImageSample> samples = new ArrayList<>();
        for (int slice = first; slice <= last; slice++) {
            Pixels pixels = rgb(image, slice, null, normalise);
            String geometry = "slice " + slice + " of " + image.getStackSize() + (masked ? ", loss mask " + shape(area)
                    : "") + pixels.intensities() + calibration(image);
            samples.add(new ImageSample(image.getTitle(), WindowImages.sliceName(image, slice), caption(image, slice),
                    pixels.page(), mask, geometry));
        }
        return samples;
    }

    private static List<ImageSample> rois(ImagePlus image, boolean masked, DataOptions.Normalise normalise) {
        List<Roi> rois = roisOf(image);
        if (rois.isEmpty()) {
            throw new DiffijException("no ROIs for '" + image.getTitle() + "': add them to the ROI Manager (or the "
                    + "image's overlay) first");
        }
        List<ImageSample> samples = new ArrayList<>();
        for (int i = 0; i < rois.size(); i++) {
            Roi roi = rois.get(i);
            Rectangle bounds = roi.getBounds().intersection(new Rectangle(0, 0, image.getWidth(), image.getHeight()));
            if (bounds.isEmpty()) {
                throw new DiffijException("ROI " + (i + 1) + " lies outside '" + image.getTitle()
                        + "'; remove it or move it onto the image");
            }
            int slice = roi.getPosition() > 0 ? roi.getPosition() : image.getCurrentSlice();
            String name = roi.getName() == null || roi.getName().isBlank() ? "" : roi.getName().strip();
            String label = image.getTitle() + " ROI " + (i + 1) + (name.isEmpty() ? "" : " " + name);
            Pixels pixels = rgb(image, slice, bounds, normalise);
            String geometry = "slice " + slice + ", ROI " + shape(roi) + (masked ? ", masked" : "")
                    + pixels.intensities() + calibration(image);
            samples.add(new ImageSample(image.getTitle(), label, name.isEmpty() ? caption(image, slice) : name,
                    pixels.page(), masked ? inside(roi, bounds) : null, geometry));
        }
        return samples;
    }

    /** The ROI Manager's ROIs when it holds any (not headless, where it cannot exist), else the overlay's. */
    private static List<Roi> roisOf(ImagePlus image) {
        ij.plugin.frame.RoiManager manager = GraphicsEnvironment.isHeadless() ? null
                : ij.plugin.frame.RoiManager.getInstance();
        if (manager != null && manager.getCount() > 0) {
            return List.of(manager.getRoisAsArray());
        }
        Overlay overlay = image.getOverlay();
        return overlay == null ? List.of() : List.of(overlay.toArray());
    }

    /** A sample's 8-bit RGB pixels and, for a gray image, which raw intensities became 0..255 and by what rule. */
    private record Pixels(ImageFiles.Page page, String intensities) {
    }

    /**
     * The slice's pixels (cropped to {@code bounds} when given) as 8-bit RGB. A gray slice is mapped as
     * a whole (a crop keeps the brightness it has in its slice): through its display range, or between
     * the slice's percentiles.
     */
    private static Pixels rgb(ImagePlus image, int slice, Rectangle bounds, DataOptions.Normalise normalise) {
        ImageProcessor ip = image.getStack().getProcessor(slice);
        boolean gray = !(ip instanceof ColorProcessor);
        boolean percentiles = gray && normalise == DataOptions.Normalise.PERCENTILE;
        String intensities = "";
        if (percentiles) {
            PercentileNormalisation rule = PercentileNormalisation.standard();
            RandomAccessibleInterval<? extends RealType<?>> values = ImgLibBridge.gray(ip);
            PercentileNormalisation.Range range = rule.range(values);
            ip = ImgLibBridge.processor(rule.toUnsignedBytes(values));
            intensities = intensities(range.low(), range.high(), "percentiles "
                    + MacroOptions.number(PercentileNormalisation.DEFAULT_LOW_PERCENT) + "-"
                    + MacroOptions.number(PercentileNormalisation.DEFAULT_HIGH_PERCENT) + " of the slice");
        }
        if (bounds != null) {
            ip.setRoi(bounds);
            ip = ip.crop();
        } else {
            ip = ip.duplicate();
        }
        if (gray && !percentiles) {
            double[] range = displayRange(image, slice);
            ip.setMinAndMax(range[0], range[1]);
            intensities = intensities(range[0], range[1], "display range");
        }
        ColorProcessor color = ip instanceof ColorProcessor c ? c : (ColorProcessor) ip.convertToColorProcessor();
        return new Pixels(new ImageFiles.Page(color.getWidth(), color.getHeight(), (int[]) color.getPixels()),
                intensities);
    }

    private static String intensities(double low, double high, String rule) {
        return ", intensities " + MacroOptions.number(low) + ".." + MacroOptions.number(high) + " to 0..255 (" + rule
                + ")";
    }

    /** The display range a stack index is shown with: its channel's for a composite image, else the image's. */
    private static double[] displayRange(ImagePlus image, int slice) {
        if (image instanceof CompositeImage composite && composite.getNChannels() > 1) {
            LUT lut = composite.getChannelLut(image.convertIndexToPosition(slice)[0]);
            return new double[] {lut.min, lut.max};
        }
        return new double[] {image.getDisplayRangeMin(), image.getDisplayRangeMax()};
    }

    /** 255 inside the area of {@code roi} within {@code bounds}, 0 elsewhere. */
    private static int[] inside(Roi roi, Rectangle bounds) {
        ByteProcessor full = new ByteProcessor(bounds.x + bounds.width, bounds.y + bounds.height);
        full.setColor(255);
        full.fill(roi);
        int[] mask = new int[bounds.width * bounds.height];
        for (int y = 0; y < bounds.height; y++) {
            for (int x = 0; x < bounds.width; x++) {
                mask[y * bounds.width + x] = full.get(bounds.x + x, bounds.y + y);
            }
        }
        return mask;
    }

    private static String caption(ImagePlus image, int slice) {
        String label = image.getStack().getSliceLabel(slice);
        if (label != null && !label.isBlank()) {
            return label.lines().findFirst().orElse("").strip();
        }
        String title = image.getTitle();
        return title.contains(".") ? title.substring(0, title.lastIndexOf('.')) : title;
    }

    private static String shape(Roi roi) {
        Rectangle b = roi.getBounds();
        return String.format(Locale.ROOT, "%s %d,%d %dx%d", roi.getTypeAsString().toLowerCase(Locale.ROOT), b.x, b.y,
                b.width, b.height);
    }

    /** The pixel size and, for a density-calibrated image, the unit its raw intensities stand for. */
    private static String calibration(ImagePlus image) {
        Calibration c = image.getCalibration();
        String pixel = c.scaled() ? String.format(Locale.ROOT, ", pixel %s x %s %s", c.pixelWidth, c.pixelHeight,
                c.getUnit()) : "";
        return pixel + (c.calibrated() ? ", values calibrated in " + c.getValueUnit() : "");
    }

    private static ImagePlus window(String title, ImagePlus... known) {
        for (ImagePlus image : known) {
            if (image != null && image.getTitle().equals(title)) {
                return image;
            }
        }
        ImagePlus image = WindowManager.getImage(title);
        if (image == null) {
            throw new DiffijException("no open image is titled '" + title + "': open it (or rename the image) and "
                    + "run again");
        }
        return image;
    }
}
