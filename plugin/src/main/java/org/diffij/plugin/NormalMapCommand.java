package org.diffij.plugin;

import ij.ImagePlus;
import java.util.List;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;
import org.diffij.DiffijException;
import org.diffij.conditioning.ModelResize;
import org.diffij.conditioning.NormalMap;

/**
 * {@code Normal Map...}: ControlNet 1.0's normal annotator on the current slice taken as depth
 * (larger = nearer, e.g. the output of Depth from Focus): an RGB normal map with channels
 * (x, y, z). With a generation size the depth is resized first.
 */
public final class NormalMapCommand extends ControlCommand {

    @Override
    protected String title() {
        return "Normal Map";
    }

    @Override
    protected void check(ImagePlus source) {
        if (source.getBitDepth() == 24) {
            throw new DiffijException("the normal map needs a depth image (8, 16 or 32-bit gray, larger = nearer), "
                    + "not RGB; run Depth from Focus or convert with Image > Type");
        }
    }

    @Override
    protected void declare(CommandParameters parameters, ImagePlus source) {
        parameters.addNumber("Strength (z component; smaller = stronger relief)", NormalMap.DEFAULT_STRENGTH, 4);
        parameters.addNumber("Background (normalised depth below which the surface is flat)",
                NormalMap.DEFAULT_BACKGROUND_THRESHOLD, 2);
    }

    @Override
    protected Computation read(ImagePlus source, CommandParameters parameters) {
        NormalMap normals = new NormalMap(parameters.nextNumber(), parameters.nextNumber());
        return resize -> {
            RandomAccessibleInterval<? extends RealType<?>> depth = ImgLibBridge.gray(source.getProcessor());
            NormalMap.Result result = normals.compute(resize == null ? depth
                    : resized(floatCopy(depth), resize, ModelResize.Interpolation.LINEAR));
            return List.of(output("Normal map of " + source.getTitle(), source,
                    ImgLibBridge.processor(result.normalU8()), resize));
        };
    }

    private static RandomAccessibleInterval<FloatType> floatCopy(RandomAccessibleInterval<? extends RealType<?>> image) {
        float[] values = new float[(int) (image.dimension(0) * image.dimension(1))];
        int i = 0;
        for (RealType<?> t : Views.flatIterable(image)) {
            values[i++] = t.getRealFloat();
        }
        return ArrayImgs.floats(values, image.dimension(0), image.dimension(1));
    }
}
