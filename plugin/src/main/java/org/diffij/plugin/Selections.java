package org.diffij.plugin;

import ij.ImagePlus;
import ij.gui.Roi;
import ij.gui.ShapeRoi;
import ij.plugin.frame.RoiManager;
import ij.process.FloatPolygon;
import java.awt.GraphicsEnvironment;
import java.util.ArrayList;
import java.util.List;
import org.diffij.conditioning.Polyline;

/**
 * The selections a command draws: the ROI Manager's when one exists and holds any, else the
 * image's own. (Headless there is no ROI Manager: ImageJ cannot create its window, not even in batch mode.)
 */
final class Selections {

    private Selections() {
    }

    static List<Roi> of(ImagePlus image) {
        RoiManager manager = GraphicsEnvironment.isHeadless() ? null : RoiManager.getInstance();
        List<Roi> rois = new ArrayList<>();
        if (manager != null && manager.getCount() > 0) {
            rois.addAll(List.of(manager.getRoisAsArray()));
        } else if (image.getRoi() != null) {
            rois.add(image.getRoi());
        }
        return rois;
    }

    /** The rings of an area selection (a composite selection gives one per part, holes included). */
    static List<Polyline> outlines(Roi roi) {
        List<Polyline> out = new ArrayList<>();
        if (roi instanceof ShapeRoi shape) {
            for (Roi part : shape.getRois()) {
                out.add(path(part.getFloatPolygon()));
            }
        } else {
            out.add(path(roi.getFloatPolygon()));
        }
        return out;
    }

    /**
     * A line selection as its path, an area as its outline closed back to the first point. Line
     * coordinates count pixel centres (ImageJ draws {@code makeLine(0, 10, 50, 10)} on row 10), area
     * coordinates pixel corners; both are returned in corner coordinates (pixel centre at i + 0.5).
     */
    static Polyline stroke(Roi roi) {
        FloatPolygon polygon = roi.getFloatPolygon();
        if (!roi.isArea()) {
            Polyline centred = path(polygon);
            double[] xs = centred.xs();
            double[] ys = centred.ys();
            for (int i = 0; i < xs.length; i++) {
                xs[i] += 0.5;
                ys[i] += 0.5;
            }
            return new Polyline(xs, ys);
        }
        int n = polygon.npoints;
        double[] xs = new double[n + 1];
        double[] ys = new double[n + 1];
        for (int i = 0; i <= n; i++) {
            xs[i] = polygon.xpoints[i % n];
            ys[i] = polygon.ypoints[i % n];
        }
        return new Polyline(xs, ys);
    }

    private static Polyline path(FloatPolygon polygon) {
        double[] xs = new double[polygon.npoints];
        double[] ys = new double[polygon.npoints];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = polygon.xpoints[i];
            ys[i] = polygon.ypoints[i];
        }
        return new Polyline(xs, ys);
    }
}
