package org.diffij.conditioning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.view.Views;
import org.diffij.DiffijException;
import org.junit.jupiter.api.Test;

class CannyTest {

    private static byte[] edges(CannyParameters p, RandomAccessibleInterval<UnsignedByteType> image) {
        return Images.bytes((ArrayImg<UnsignedByteType, ByteArray>) new Canny(p).edges(image));
    }

    @Test
    void aVerticalStepGivesOneEdgeColumn() {
        int w = 12;
        int h = 9;
        byte[] pixels = new byte[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 6; x < w; x++) {
                pixels[y * w + x] = (byte) 200;
            }
        }
        byte[] e = edges(CannyParameters.CONTROLNET_DEFAULT, ArrayImgs.unsignedBytes(pixels, w, h));
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean edge = e[y * w + x] != 0;
                assertEquals(x == 5, edge, "x=" + x + " y=" + y);
            }
        }
    }

    @Test
    void thresholdsMayBeSwappedAndEqualChannelsGiveTheGrayEdges() {
        Random random = new Random(5);
        int w = 40;
        int h = 31;
        byte[] gray = new byte[w * h];
        random.nextBytes(gray);
        byte[] rgb = new byte[3 * w * h];
        for (int i = 0; i < gray.length; i++) {
            rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = gray[i];
        }
        RandomAccessibleInterval<UnsignedByteType> grayImage = ArrayImgs.unsignedBytes(gray, w, h);
        RandomAccessibleInterval<UnsignedByteType> rgbImage = Views.moveAxis(ArrayImgs.unsignedBytes(rgb, 3, w, h), 0, 2);
        for (int aperture : new int[] {3, 5, 7}) {
            for (boolean l2 : new boolean[] {false, true}) {
                double scale = aperture == 3 ? 1 : aperture == 5 ? 8 : 100;
                CannyParameters p = new CannyParameters(100 * scale, 300 * scale, aperture, l2);
                byte[] reference = edges(p, grayImage);
                assertTrue(countEdges(reference) > 0, "some edges at aperture " + aperture);
                assertArrayEquals(reference, edges(new CannyParameters(300 * scale, 100 * scale, aperture, l2), grayImage));
                assertArrayEquals(reference, edges(p, rgbImage));
            }
        }
    }

    @Test
    void tinyAndConstantImagesHaveNoEdges() {
        assertArrayEquals(new byte[1], edges(new CannyParameters(0, 0, 7, true),
                ArrayImgs.unsignedBytes(new byte[] {(byte) 255}, 1, 1)));
        assertEquals(0, countEdges(edges(new CannyParameters(0, 0, 3, false), ArrayImgs.unsignedBytes(16, 16))));
    }

    @Test
    void aperture7RoundsSumsOver16HalfToEven() {
        for (int v = -100_000; v <= 100_000; v += 7) {
            assertEquals((int) Math.rint(v / 16.0), Canny.divideBy16RoundHalfEven(v), "v=" + v);
        }
        for (int v = -40; v <= 40; v += 8) {
            assertEquals((int) Math.rint(v / 16.0), Canny.divideBy16RoundHalfEven(v), "v=" + v);
        }
    }

    @Test
    void refusesImagesThatAreNeitherGrayNorRgb() {
        DiffijException e = assertThrows(DiffijException.class,
                () -> new Canny(CannyParameters.CONTROLNET_DEFAULT).edges(ArrayImgs.unsignedBytes(4, 4, 4)));
        assertTrue(e.getMessage().contains("4 channels"), e.getMessage());
        assertThrows(DiffijException.class, () -> new CannyParameters(1, 2, 4, false));
    }

    private static int countEdges(byte[] e) {
        int n = 0;
        for (byte b : e) {
            n += b != 0 ? 1 : 0;
        }
        return n;
    }
}
