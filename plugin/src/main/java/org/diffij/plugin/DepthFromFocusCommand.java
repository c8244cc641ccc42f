package org.diffij.plugin;

import ij.ImagePlus;
import java.util.List;
import net.imglib2.img.Img;
import net.imglib2.type.numeric.real.FloatType;
import org.diffij.DiffijException;
import org.diffij.conditioning.DepthFromFocus;
import org.diffij.conditioning.ModelResize;

/**
 * {@code Depth from Focus...}: a depth control image (8-bit, near = bright) from a focus series;
 * in a hyperstack, the z slices at the current channel and frame. Optionally also the height map
 * in slice units (32-bit). Resized after the computation.
 */
public final class DepthFromFocusCommand extends ControlCommand {

    @Override
    protected String title() {
        return "Depth from Focus";
    }

    @Override
    protected void check(ImagePlus source) {
        if (source.getNSlices() < 3) {
            throw new DiffijException("depth from focus needs a z-stack of at least 3 slices; \"" + source.getTitle()
                    + "\" has " + source.getNSlices() + (source.getNFrames() > 1 || source.getNChannels() > 1
                    ? " (its other slices are channels or frames: check Image > Properties)" : ""));
        }
        if (source.getBitDepth() == 24) {
            throw new DiffijException("depth from focus needs a gray stack (8, 16 or 32 bit); convert the RGB stack "
                    + "with Image > Type first");
        }
    }

    @Override
    protected void declare(CommandParameters parameters, ImagePlus source) {
        parameters.addNumber("Window (focus measure box, odd pixels)", DepthFromFocus.DEFAULT_WINDOW, 0);
        parameters.addNumber("Smoothing (sigma in pixels; 0 = none)", DepthFromFocus.DEFAULT_SMOOTHING, 1);
        parameters.addChoice("Near", new String[] {"last slice", "first slice"}, "last slice");
        parameters.addCheckbox("Height map in slices (32-bit) as well", false);
    }

    @Override
    protected Computation read(ImagePlus source, CommandParameters parameters) {
        int window = (int) parameters.nextNumber();
        DepthFromFocus method = new DepthFromFocus(window, parameters.nextNumber());
        DepthFromFocus.Near near = parameters.nextChoice().equals("first slice") ? DepthFromFocus.Near.FIRST_SLICE
                : DepthFromFocus.Near.LAST_SLICE;
        boolean heightMap = parameters.nextBoolean();
        return resize -> {
            Img<FloatType> height = method.heightMap(ImgLibBridge.zStack(source));
            ImagePlus depth = output("Depth of " + source.getTitle(), source, ImgLibBridge.processor(
                    DepthFromFocus.render(resized(height, resize, ModelResize.Interpolation.LINEAR), near)), resize);
            if (!heightMap) {
                return List.of(depth);
            }
            ImagePlus heights = output("Height of " + source.getTitle(), source,
                    ImgLibBridge.processor(resized(height, resize, ModelResize.Interpolation.LINEAR)), resize);
            heights.getCalibration().setValueUnit("slice");
            return List.of(depth, heights);
        };
    }
}
