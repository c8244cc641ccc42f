package org.diffij.conditioning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonObject;
import net.imglib2.img.array.ArrayImgs;
import org.diffij.DiffijException;
import org.diffij.parity.Golden;
import org.diffij.parity.GoldenCase;
import org.junit.jupiter.api.Test;

class FiltersTest {

    @Test
    void reflect101MirrorsWithoutRepeatingTheEdgeAndReflectsAgainWhenTheKernelIsLonger() {
        int[] expected = {2, 1, 0, 1, 2, 1, 0, 1, 2};
        for (int p = -2; p <= 6; p++) {
            assertEquals(expected[p + 2], Border.REFLECT_101.index(p, 3), "position " + p);
        }
        assertEquals(0, Border.REFLECT_101.index(-7, 1));
        assertEquals(1, Border.REFLECT_101.index(-3, 2));
        assertEquals(0, Border.REPLICATE.index(-5, 4));
        assertEquals(3, Border.REPLICATE.index(9, 4));
    }

    @Test
    void sobelKernelsAreOpenCvsForEveryAperture() {
        assertArrayEquals(new int[] {-1, 0, 1}, SobelKernels.derivative(3));
        assertArrayEquals(new int[] {1, 4, 6, 4, 1}, SobelKernels.smoothing(5));
        assertArrayEquals(new int[] {-1, -4, -5, 0, 5, 4, 1}, SobelKernels.derivative(7));
        assertArrayEquals(new int[] {1, 6, 15, 20, 15, 6, 1}, SobelKernels.smoothing(7));
        assertThrows(DiffijException.class, () -> SobelKernels.derivative(4));
    }

    @Test
    void gaussianKernelSizeFollowsOpenCvsRuleRecordedInTheGoldenCases() {
        int checked = 0;
        for (GoldenCase golden : Golden.manifest().cases()) {
            if (!golden.params().has("kind") || !golden.params().get("kind").getAsString().equals("gauss_sobel")) {
                continue;
            }
            JsonObject variants = golden.params().getAsJsonObject("variants");
            for (String name : variants.keySet()) {
                JsonObject v = variants.getAsJsonObject(name);
                double[] kernel = SeparableFilter.gaussianKernel(v.get("sigmaX").getAsDouble());
                assertEquals(v.get("resulting_ksize").getAsInt(), kernel.length, golden.id() + " " + name);
                double sum = 0;
                for (double w : kernel) {
                    sum += w;
                }
                assertEquals(1.0, sum, 1e-6);
                checked++;
            }
        }
        assertEquals(true, checked > 5, "gauss_sobel variants found: " + checked);
    }

    @Test
    void sobelOfARampIsEightTimesTheSlopeInsideAndZeroOnTheReflectedBorder() {
        int w = 6;
        int h = 4;
        float[] ramp = new float[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                ramp[y * w + x] = 3 * x;
            }
        }
        float[] dx = Images.floats(SeparableFilter.sobel(true, 3, 1).apply(ArrayImgs.floats(ramp, w, h)));
        float[] dy = Images.floats(SeparableFilter.sobel(false, 3, 1).apply(ArrayImgs.floats(ramp, w, h)));
        for (int y = 0; y < h; y++) {
            assertEquals(0f, dx[y * w]);
            assertEquals(0f, dx[y * w + w - 1]);
            for (int x = 1; x < w - 1; x++) {
                assertEquals(24f, dx[y * w + x], 1e-5);
                assertEquals(0f, dy[y * w + x], 1e-5);
            }
        }
    }

    @Test
    void percentilesInterpolateLikeNumpy() {
        double[] sorted = new double[101];
        for (int i = 0; i <= 100; i++) {
            sorted[i] = 2 * i;
        }
        assertEquals(1.0, PercentileNormalisation.percentile(sorted, 0.5), 1e-12);
        assertEquals(199.0, PercentileNormalisation.percentile(sorted, 99.5), 1e-12);
        assertEquals(7.0, PercentileNormalisation.percentile(new double[] {7}, 50), 0);
    }

    @Test
    void aConstantImageNormalisesToBlack() {
        byte[] out = Images.bytes((net.imglib2.img.array.ArrayImg<net.imglib2.type.numeric.integer.UnsignedByteType,
                net.imglib2.img.basictypeaccess.array.ByteArray>) PercentileNormalisation.standard()
                .toUnsignedBytes(ArrayImgs.unsignedShorts(new short[] {500, 500, 500, 500}, 2, 2)));
        assertArrayEquals(new byte[4], out);
    }
}
