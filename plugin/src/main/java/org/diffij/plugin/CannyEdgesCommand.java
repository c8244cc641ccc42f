package org.diffij.plugin;

import ij.ImagePlus;
import java.util.List;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import org.diffij.conditioning.Canny;
import org.diffij.conditioning.CannyParameters;
import org.diffij.conditioning.ModelResize;
import org.diffij.conditioning.PercentileNormalisation;

/**
 * {@code Canny Edges...}: ControlNet's canny annotator ({@code cv2.Canny}, bit-exact) on the current
 * slice. RGB images use the strongest channel per pixel; 16- and 32-bit images are first mapped to
 * 8 bit between their 0.5th and 99.5th percentiles. With a generation size the image is resized
 * first (as ControlNet does) and the edges are found at that size.
 */
public final class CannyEdgesCommand extends ControlCommand {

    @Override
    protected String title() {
        return "Canny Edges";
    }

    @Override
    protected void check(ImagePlus source) {
        // Every ImageJ image type has a Canny input: 8-bit and RGB directly, others by percentiles.
    }

    @Override
    protected void declare(CommandParameters parameters, ImagePlus source) {
        parameters.addNumber("Low threshold", 100, 0);
        parameters.addNumber("High threshold", 200, 0);
        parameters.addChoice("Aperture", new String[] {"3", "5", "7"}, "3");
        parameters.addCheckbox("L2 gradient (Euclidean magnitude)", false);
        if (source.getBitDepth() == 16 || source.getBitDepth() == 32) {
            parameters.addMessage("16/32-bit: mapped to 8 bit between the 0.5th and 99.5th percentiles");
        }
    }

    @Override
    protected Computation read(ImagePlus source, CommandParameters parameters) {
        CannyParameters canny = new CannyParameters(parameters.nextNumber(), parameters.nextNumber(),
                Integer.parseInt(parameters.nextChoice()), parameters.nextBoolean());
        return resize -> {
            ImageProcessor ip = source.getProcessor();
            RandomAccessibleInterval<UnsignedByteType> image;
            if (ip instanceof ColorProcessor color) {
                image = ImgLibBridge.rgb(color);
            } else if (ip instanceof ByteProcessor bytes) {
                image = ImgLibBridge.bytes(bytes);
            } else {
                image = PercentileNormalisation.standard().toUnsignedBytes(ImgLibBridge.gray(ip));
            }
            image = resized(image, resize, ModelResize.Interpolation.LINEAR);
            return List.of(output("Canny of " + source.getTitle(), source,
                    ImgLibBridge.processor(new Canny(canny).edges(image)), resize));
        };
    }
}
