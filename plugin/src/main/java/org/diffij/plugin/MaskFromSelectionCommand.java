package org.diffij.plugin;

import ij.ImagePlus;
import ij.gui.Roi;
import java.util.ArrayList;
import java.util.List;
import org.diffij.DiffijException;
import org.diffij.conditioning.InpaintMask;
import org.diffij.conditioning.ModelResize;
import org.diffij.conditioning.Polyline;

/**
 * {@code Mask from Selection...}: an inpainting mask (255 = repaint, 0 = keep) from the image's
 * area selection, or from every area in the ROI Manager, grown and feathered. Resized after drawing.
 */
public final class MaskFromSelectionCommand extends ControlCommand {

    @Override
    protected String title() {
        return "Mask from Selection";
    }

    @Override
    protected void check(ImagePlus source) {
        List<Roi> rois = Selections.of(source);
        if (rois.isEmpty()) {
            throw new DiffijException("no selection: select the area to repaint on \"" + source.getTitle()
                    + "\" (rectangle, oval, polygon or freehand) or add areas to the ROI Manager");
        }
        for (Roi roi : rois) {
            if (!roi.isArea()) {
                throw new DiffijException("\"" + roi.getTypeAsString() + "\" selections enclose no area: the mask "
                        + "needs rectangle, oval, polygon or freehand selections");
            }
        }
    }

    @Override
    protected void declare(CommandParameters parameters, ImagePlus source) {
        parameters.addNumber("Grow (pixels; negative shrinks)", 0, 1);
        parameters.addNumber("Feather (edge softness, Gaussian sigma in pixels)", 0, 1);
    }

    @Override
    protected Computation read(ImagePlus source, CommandParameters parameters) {
        InpaintMask mask = new InpaintMask(parameters.nextNumber(), parameters.nextNumber());
        List<List<Polyline>> areas = new ArrayList<>();
        for (Roi roi : Selections.of(source)) {
            areas.add(Selections.outlines(roi));
        }
        return resize -> List.of(output("Mask of " + source.getTitle(), source, ImgLibBridge.processor(
                resized(mask.drawAreas(areas, source.getWidth(), source.getHeight()), resize,
                        ModelResize.Interpolation.LINEAR)), resize));
    }
}
