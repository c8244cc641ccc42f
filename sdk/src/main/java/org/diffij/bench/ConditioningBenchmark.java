package org.diffij.bench;

import java.io.PrintStream;
import java.util.Locale;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.view.Views;
import org.diffij.conditioning.Canny;
import org.diffij.conditioning.CannyParameters;
import org.diffij.conditioning.DepthFromFocus;
import org.diffij.conditioning.NormalMap;
import org.diffij.conditioning.SeparableFilter;

/**
 * {@code diffij bench conditioning}: the preprocessors on large images. The 8-bit test image is
 * defined by integer arithmetic only, so that other tools can rebuild it exactly to compare:
 * {@code v(x, y) = (((x-1000)^2 + (y-1100)^2) >> 11 & 1) * 120 + ((x >> 5) + (y >> 6)) % 64 + (7x + 13y) % 17}
 * (rings with a blocky ramp and a fine texture; RGB uses v, v(x+1, y), v(x, y+1)).
 */
public final class ConditioningBenchmark implements Benchmark {

    private static final int SIDE = 2048;

    @Override
    public String name() {
        return "conditioning";
    }

    @Override
    public String description() {
        return "Canny (2048x2048 gray and RGB), Gaussian/Sobel, normal map, depth from focus";
    }

    static int testPixel(int x, int y) {
        long dx = x - 1000;
        long dy = y - 1100;
        return (int) (((dx * dx + dy * dy) >> 11 & 1) * 120 + ((x >> 5) + (y >> 6)) % 64 + (7 * x + 13 * y) % 17);
    }

    @Override
    public void run(BenchOptions options, PrintStream out) throws Exception {
        out.printf(Locale.ROOT, "threads: %d available processors (common fork-join pool parallelism %d)%n",
                Runtime.getRuntime().availableProcessors(),
                java.util.concurrent.ForkJoinPool.commonPool().getParallelism());
        byte[] gray = new byte[SIDE * SIDE];
        byte[] rgb = new byte[3 * SIDE * SIDE];
        float[] depth = new float[SIDE * SIDE];
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                int i = y * SIDE + x;
                gray[i] = (byte) testPixel(x, y);
                rgb[3 * i] = gray[i];
                rgb[3 * i + 1] = (byte) testPixel(x + 1, y);
                rgb[3 * i + 2] = (byte) testPixel(x, y + 1);
                double r2 = Math.pow(x - 1024.0, 2) + Math.pow(y - 1024.0, 2);
                depth[i] = (float) (100 * Math.exp(-r2 / (2 * 400.0 * 400.0)));
            }
        }
        RandomAccessibleInterval<UnsignedByteType> grayImage = ArrayImgs.unsignedBytes(gray, SIDE, SIDE);
        RandomAccessibleInterval<UnsignedByteType> rgbImage =
                Views.moveAxis(ArrayImgs.unsignedBytes(rgb, 3, SIDE, SIDE), 0, 2);
        Canny controlNet = new Canny(CannyParameters.CONTROLNET_DEFAULT);
        Canny aperture5L2 = new Canny(new CannyParameters(600, 1800, 5, true));
        out.println(Benchmarks.line("canny 2048x2048 gray (100, 200)", Benchmarks.time(options,
                () -> controlNet.edges(grayImage))));
        out.println(Benchmarks.line("canny 2048x2048 RGB (100, 200)", Benchmarks.time(options,
                () -> controlNet.edges(rgbImage))));
        out.println(Benchmarks.line("canny 2048x2048 gray aperture 5 L2", Benchmarks.time(options,
                () -> aperture5L2.edges(grayImage))));
        RandomAccessibleInterval<UnsignedByteType> grayView = grayImage;
        SeparableFilter gaussian = SeparableFilter.gaussian(2);
        out.println(Benchmarks.line("gaussian sigma 2 (17 taps) 2048x2048", Benchmarks.time(options,
                () -> gaussian.apply(grayView))));
        SeparableFilter sobel = SeparableFilter.sobel(true, 3, 1);
        out.println(Benchmarks.line("sobel dx 2048x2048 float", Benchmarks.time(options,
                () -> sobel.apply(grayView))));
        NormalMap normals = NormalMap.controlNetDefault();
        out.println(Benchmarks.line("normal map 2048x2048", Benchmarks.time(options,
                () -> normals.compute(ArrayImgs.floats(depth, SIDE, SIDE)))));
        int side = 512;
        int slices = 16;
        float[] stack = new float[side * side * slices];
        for (int z = 0; z < slices; z++) {
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    int sharpAt = (x + y) * (slices - 1) / (2 * side);
                    int blur = Math.abs(z - sharpAt);
                    stack[(z * side + y) * side + x] = testPixel(x >> blur << blur, y >> blur << blur);
                }
            }
        }
        DepthFromFocus focus = DepthFromFocus.standard();
        out.println(Benchmarks.line("depth from focus 512x512x16", Benchmarks.time(options,
                () -> focus.heightMap(ArrayImgs.floats(stack, side, side, slices)))));
    }
}
