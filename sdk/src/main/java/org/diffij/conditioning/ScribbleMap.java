package org.diffij.conditioning;

import java.util.List;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import org.diffij.DiffijException;

/**
 * A scribble control image: white (255) strokes on black (0), as the scribble ControlNet expects.
 * A pixel is painted when its centre lies within half the stroke width of a stroke (round caps and
 * joins); strokes narrower than 1 px are drawn 1 px wide so that they stay 8-connected.
 */
public final class ScribbleMap {

    private final double strokeWidth;

    public ScribbleMap(double strokeWidth) {
        if (!(strokeWidth > 0 && strokeWidth <= 1000)) {
            throw new DiffijException("stroke width must be between 0 and 1000 pixels, got " + strokeWidth);
        }
        this.strokeWidth = strokeWidth;
    }

    public Img<UnsignedByteType> draw(List<Polyline> strokes, int width, int height) {
        if (width < 1 || height < 1 || width > Planes.MAX_SIDE || height > Planes.MAX_SIDE) {
            throw new DiffijException("scribble map size " + width + " x " + height + " is out of range");
        }
        if (strokes.isEmpty()) {
            throw new DiffijException("no strokes to draw: draw lines or freehand lines on the image first");
        }
        byte[] pixels = new byte[width * height];
        double radius = Math.max(strokeWidth, 1) / 2;
        for (Polyline stroke : strokes) {
            double[] xs = stroke.xs();
            double[] ys = stroke.ys();
            for (int i = 0; i < xs.length; i++) {
                int j = Math.min(i + 1, xs.length - 1);
                paintSegment(pixels, width, height, xs[i], ys[i], xs[j], ys[j], radius);
            }
        }
        return ArrayImgs.unsignedBytes(pixels, width, height);
    }

    static void paintSegment(byte[] pixels, int width, int height, double x0, double y0, double x1, double y1,
            double radius) {
        int left = (int) Math.max(0, Math.floor(Math.min(x0, x1) - radius - 0.5));
        int right = (int) Math.min(width - 1, Math.ceil(Math.max(x0, x1) + radius - 0.5));
        int top = (int) Math.max(0, Math.floor(Math.min(y0, y1) - radius - 0.5));
        int bottom = (int) Math.min(height - 1, Math.ceil(Math.max(y0, y1) + radius - 0.5));
        double dx = x1 - x0;
        double dy = y1 - y0;
        double lengthSquared = dx * dx + dy * dy;
        double r2 = radius * radius;
        for (int y = top; y <= bottom; y++) {
            double cy = y + 0.5;
            for (int x = left; x <= right; x++) {
                double cx = x + 0.5;
                double t = lengthSquared == 0 ? 0
                        : Math.min(1, Math.max(0, ((cx - x0) * dx + (cy - y0) * dy) / lengthSquared));
                double ex = cx - (x0 + t * dx);
                double ey = cy - (y0 + t * dy);
                if (ex * ex + ey * ey <= r2) {
                    pixels[y * width + x] = (byte) 255;
                }
            }
        }
    }
}
