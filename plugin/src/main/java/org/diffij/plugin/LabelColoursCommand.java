package org.diffij.plugin;

import ij.ImagePlus;
import java.util.List;
import ij.process.ByteProcessor;
import ij.process.ShortProcessor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.IntegerType;
import org.diffij.DiffijException;
import org.diffij.conditioning.Ade20kPalette;
import org.diffij.conditioning.ModelResize;

/**
 * {@code Label Colours...}: an 8- or 16-bit label image (0..149, ADE20K classes, 0 = wall) painted
 * with the segmentation ControlNet's colours. Labels are resized (nearest neighbour) before painting.
 */
public final class LabelColoursCommand extends ControlCommand {

    @Override
    protected String title() {
        return "Label Colours";
    }

    @Override
    protected void check(ImagePlus source) {
        if (source.getBitDepth() != 8 && source.getBitDepth() != 16) {
            throw new DiffijException("label colours need an 8- or 16-bit label image (ADE20K classes 0..149); \""
                    + source.getTitle() + "\" is " + (source.getBitDepth() == 24 ? "RGB" : "32-bit")
                    + (source.getBitDepth() == 24 ? " (already coloured?)" : ": convert it with Image > Type > 16-bit"));
        }
    }

    @Override
    protected void declare(CommandParameters parameters, ImagePlus source) {
        parameters.addMessage("Labels 0..149 are ADE20K classes (0 = " + Ade20kPalette.get().name(0) + ", 149 = "
                + Ade20kPalette.get().name(149) + ")");
    }

    @Override
    protected Computation read(ImagePlus source, CommandParameters parameters) {
        return resize -> {
            RandomAccessibleInterval<? extends IntegerType<?>> labels = source.getBitDepth() == 8
                    ? resized(ImgLibBridge.bytes((ByteProcessor) source.getProcessor()), resize,
                            ModelResize.Interpolation.NEAREST)
                    : resized(ImgLibBridge.shorts((ShortProcessor) source.getProcessor()), resize,
                            ModelResize.Interpolation.NEAREST);
            return List.of(output("Label colours of " + source.getTitle(), source,
                    ImgLibBridge.processor(Ade20kPalette.get().colorize(labels)), resize));
        };
    }

}
