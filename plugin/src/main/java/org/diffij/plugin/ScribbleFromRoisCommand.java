package org.diffij.plugin;

import ij.ImagePlus;
import ij.gui.Roi;
import java.util.ArrayList;
import java.util.List;
import org.diffij.DiffijException;
import org.diffij.conditioning.ModelResize;
import org.diffij.conditioning.Polyline;
import org.diffij.conditioning.ScribbleMap;

/**
 * {@code Scribble from ROIs...}: the ROI Manager's selections (or the image's own) drawn as white
 * strokes on black at the image's size: lines, polylines and freehand lines as paths, areas as
 * their outlines. Resized after drawing.
 */
public final class ScribbleFromRoisCommand extends ControlCommand {

    @Override
    protected String title() {
        return "Scribble from ROIs";
    }

    @Override
    protected void check(ImagePlus source) {
        List<Roi> rois = Selections.of(source);
        if (rois.isEmpty()) {
            throw new DiffijException("no selection to draw: draw lines (straight, segmented or freehand) on \""
                    + source.getTitle() + "\" or add them to the ROI Manager");
        }
        for (Roi roi : rois) {
            if (roi.getType() == Roi.POINT) {
                throw new DiffijException("point selections cannot be drawn as scribbles: use line or freehand "
                        + "line selections");
            }
        }
    }

    @Override
    protected void declare(CommandParameters parameters, ImagePlus source) {
        parameters.addNumber("Width (stroke width in pixels)", 3, 1);
    }

    @Override
    protected Computation read(ImagePlus source, CommandParameters parameters) {
        ScribbleMap scribbles = new ScribbleMap(parameters.nextNumber());
        List<Polyline> strokes = new ArrayList<>();
        for (Roi roi : Selections.of(source)) {
            strokes.add(Selections.stroke(roi));
        }
        return resize -> List.of(output("Scribble of " + source.getTitle(), source, ImgLibBridge.processor(
                resized(scribbles.draw(strokes, source.getWidth(), source.getHeight()), resize,
                        ModelResize.Interpolation.LINEAR)), resize));
    }
}
