package org.diffij.plugin;

import ij.ImagePlus;
import ij.WindowManager;
import ij.measure.Calibration;
import ij.plugin.PlugIn;
import ij.process.ImageProcessor;
import java.util.List;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.NativeType;
import net.imglib2.type.numeric.RealType;
import org.diffij.DiffijException;
import org.diffij.conditioning.ModelResize;

/**
 * A {@code Plugins > Diffusion > Control} command: reads its parameters (dialog or macro options),
 * computes a conditioning map from the current image and shows it as a NEW image that keeps the
 * source's calibration; the source is never modified. A wrong kind of image or a bad parameter is
 * reported with one clear message (and aborts a running macro).
 *
 * <p>Every command ends with the same three options, the {@link ModelResize} rule: {@code size} (the
 * long side of the generation size, 0 = keep the image's size), {@code resize} (fit or crop) and
 * {@code multiple} (64 or 8).
 */
public abstract class ControlCommand implements PlugIn {

    /** The menu label, also the dialog title and the prefix of error messages. */
    protected abstract String title();

    /** Checks that the image is one this command can use; throws {@link DiffijException} if not. */
    protected abstract void check(ImagePlus source);

    /** Declares the command's own parameters. */
    protected abstract void declare(CommandParameters parameters, ImagePlus source);

    /**
     * Reads the command's own parameters in declaration order and returns the computation they
     * define; it gets the resize rule the user chose (null = keep the size).
     */
    protected abstract Computation read(ImagePlus source, CommandParameters parameters);

    /** A configured map computation; its result lists the new images, the control image first. */
    @FunctionalInterface
    protected interface Computation {
        List<ImagePlus> run(ModelResize resize);
    }

    @Override
    public final void run(String arg) {
        ImagePlus source = WindowManager.getCurrentImage();
        try {
            if (source == null) {
                throw new DiffijException("no image is open: open the image to turn into a control image first");
            }
            List<ImagePlus> outputs = apply(source, CommandParameters.forCurrentRun(title()));
            for (int i = outputs.size() - 1; i >= 0; i--) {
                Feedback.show(outputs.get(i));
            }
        } catch (DiffijException e) {
            Feedback.report(title(), e.getMessage());
        }
    }

    /**
     * Runs on {@code source} with macro-style options (as the macro line records them); returns the
     * new images without showing them, the control image first.
     */
    public final List<ImagePlus> apply(ImagePlus source, String options) {
        return apply(source, CommandParameters.forOptions(title(), options));
    }

    private List<ImagePlus> apply(ImagePlus source, CommandParameters parameters) {
        check(source);
        declare(parameters, source);
        parameters.addNumber("Size (long side of the generation size in pixels; 0 = keep)", 0, 0);
        parameters.addChoice("Resize", new String[] {"fit", "crop"}, "fit");
        parameters.addChoice("Multiple", new String[] {"64", "8"}, "64");
        if (!parameters.show()) {
            return List.of();
        }
        Computation computation = read(source, parameters);
        int size = (int) parameters.nextNumber();
        ModelResize.Mode mode = parameters.nextChoice().equals("crop") ? ModelResize.Mode.CROP : ModelResize.Mode.FIT;
        int multiple = Integer.parseInt(parameters.nextChoice());
        return computation.run(size == 0 ? null : new ModelResize(size, multiple, mode));
    }

    /** Resizes by the rule, or returns the image itself when {@code resize} is null. */
    protected static <T extends RealType<T> & NativeType<T>> RandomAccessibleInterval<T> resized(
            RandomAccessibleInterval<T> image, ModelResize resize, ModelResize.Interpolation interpolation) {
        if (resize == null) {
            return image;
        }
        return resize.apply(image, interpolation);
    }

    /**
     * The new image: titled, with the source's calibration; when the map was resized, pixel sizes
     * are divided by the magnification (the origin of a cropped map is not shifted).
     */
    protected static ImagePlus output(String title, ImagePlus source, ImageProcessor processor, ModelResize resize) {
        ImagePlus result = new ImagePlus(title, processor);
        Calibration calibration = source.getCalibration().copy();
        if (resize != null) {
            ModelResize.Scale scale = resize.scaleFor(source.getWidth(), source.getHeight());
            calibration.pixelWidth /= scale.x();
            calibration.pixelHeight /= scale.y();
        }
        result.setCalibration(calibration);
        return result;
    }
}
