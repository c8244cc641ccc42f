package org.diffij.conditioning;

import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.real.FloatType;
import org.diffij.DiffijException;

/**
 * A normal map from a depth or height image as ControlNet 1.0's normal annotator computes it from
 * MiDaS' prediction (larger = nearer), in float32:
 * <pre>
 * depth_pt  = (depth - min) / max(depth - min)          background where depth_pt &lt; bgThreshold
 * x, y      = Sobel_x(depth), Sobel_y(depth)            (3x3, reflect-101), 0 on background
 * normal    = (x, y, a) / |(x, y, a)|                    a = 2 pi by default
 * normal_u8 = trunc(clip(normal * 127.5 + 127.5, 0, 255)), depth_u8 = trunc(clip(depth_pt * 255, 0, 255))
 * </pre>
 * Channels are (x, y, z) as the annotator returns (shows, saves) them; background pixels are
 * (127, 127, 255). Note for generation: ControlNet's {@code gradio_normal2image.py} feeds the
 * model the channels reversed, (z, y, x).
 */
public final class NormalMap {

    public static final double DEFAULT_STRENGTH = 2 * Math.PI;
    public static final double DEFAULT_BACKGROUND_THRESHOLD = 0.4;

    private final double strength;
    private final double backgroundThreshold;

    /**
     * @param strength the annotator's {@code a}: the z component before normalising; smaller values
     *     exaggerate the relief
     * @param backgroundThreshold the annotator's {@code bg_th}: normalised depth below it is flat
     *     background
     */
    public NormalMap(double strength, double backgroundThreshold) {
        if (!(strength > 0) || Double.isInfinite(strength)) {
            throw new DiffijException("normal map strength must be a positive number, got " + strength);
        }
        if (!(backgroundThreshold >= 0 && backgroundThreshold <= 1)) {
            throw new DiffijException("background threshold must be in [0, 1], got " + backgroundThreshold);
        }
        this.strength = strength;
        this.backgroundThreshold = backgroundThreshold;
    }

    public static NormalMap controlNetDefault() {
        return new NormalMap(DEFAULT_STRENGTH, DEFAULT_BACKGROUND_THRESHOLD);
    }

    /**
     * The maps of one depth image.
     *
     * @param normal unit normals, float32 (x, y, 3)
     * @param normalU8 the 8-bit RGB normal map (x, y, 3)
     * @param depthU8 the normalised depth as 8 bit (x, y)
     */
    public record Result(Img<FloatType> normal, Img<UnsignedByteType> normalU8, Img<UnsignedByteType> depthU8) {
    }

    public Result compute(RandomAccessibleInterval<? extends RealType<?>> depth) {
        Planes.requirePlane(depth, "depth image");
        int width = Planes.width(depth);
        int height = Planes.height(depth);
        float[] values = new float[width * height];
        RandomAccess<? extends RealType<?>> in = depth.randomAccess();
        double[] line = new double[width];
        float min = Float.POSITIVE_INFINITY;
        for (int y = 0; y < height; y++) {
            Planes.readRow(in, depth, y, line);
            for (int x = 0; x < width; x++) {
                float v = (float) line[x];
                if (!Float.isFinite(v)) {
                    throw new DiffijException("the depth image has a non-finite value at x=" + x + ", y=" + y);
                }
                values[y * width + x] = v;
                min = Math.min(min, v);
            }
        }
        float maxShifted = 0;
        for (float v : values) {
            maxShifted = Math.max(maxShifted, v - min);
        }
        if (maxShifted == 0) {
            throw new DiffijException("the depth image is constant: a normal map needs some relief");
        }
        Img<FloatType> depthImage = ArrayImgs.floats(values, width, height);
        float[] sobelX = Images.floats(SeparableFilter.sobel(true, 3, 1).apply(depthImage));
        float[] sobelY = Images.floats(SeparableFilter.sobel(false, 3, 1).apply(depthImage));
        int n = width * height;
        float[] normal = new float[3 * n];
        byte[] normalU8 = new byte[3 * n];
        byte[] depthU8 = new byte[n];
        float a = (float) strength;
        float threshold = (float) backgroundThreshold;
        for (int i = 0; i < n; i++) {
            float pt = (values[i] - min) / maxShifted;
            depthU8[i] = (byte) (int) clip(pt * 255f);
            float x = pt < threshold ? 0f : sobelX[i];
            float y = pt < threshold ? 0f : sobelY[i];
            float norm = (float) Math.sqrt(x * x + y * y + a * a);
            float[] unit = {x / norm, y / norm, a / norm};
            for (int c = 0; c < 3; c++) {
                normal[c * n + i] = unit[c];
                normalU8[c * n + i] = (byte) (int) clip(unit[c] * 127.5f + 127.5f);
            }
        }
        return new Result(ArrayImgs.floats(normal, width, height, 3), ArrayImgs.unsignedBytes(normalU8, width, height, 3),
                ArrayImgs.unsignedBytes(depthU8, width, height));
    }

    private static float clip(float v) {
        return Math.min(Math.max(v, 0f), 255f);
    }
}
