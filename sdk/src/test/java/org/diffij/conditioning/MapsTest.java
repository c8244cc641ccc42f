package org.diffij.conditioning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.real.FloatType;
import org.diffij.DiffijException;
import org.junit.jupiter.api.Test;

class MapsTest {

    private static byte[] bytes(net.imglib2.img.Img<UnsignedByteType> image) {
        return Images.bytes((ArrayImg<UnsignedByteType, ByteArray>) image);
    }

    @Test
    void normalMapBackgroundIsFlatAndTheRampTiltsTheNormal() {
        int w = 8;
        int h = 5;
        float[] depth = new float[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                depth[y * w + x] = x;
            }
        }
        NormalMap.Result r = NormalMap.controlNetDefault().compute(ArrayImgs.floats(depth, w, h));
        byte[] u8 = bytes(r.normalU8());
        int n = w * h;
        assertEquals(127, u8[0] & 0xff);
        assertEquals(127, u8[n] & 0xff);
        assertEquals(255, u8[2 * n] & 0xff);
        int inside = 2 * w + 5;
        assertTrue((u8[inside] & 0xff) > 200, "x component of a rising ramp points right");
        float[] normal = Images.floats((ArrayImg<FloatType, FloatArray>) r.normal());
        double length = Math.sqrt(normal[inside] * normal[inside] + normal[n + inside] * normal[n + inside]
                + normal[2 * n + inside] * normal[2 * n + inside]);
        assertEquals(1.0, length, 1e-6);
        assertEquals(255, bytes(r.depthU8())[w - 1] & 0xff);
        assertThrows(DiffijException.class, () -> NormalMap.controlNetDefault().compute(ArrayImgs.floats(3, 3)));
    }

    @Test
    void ade20kPaletteHas150ClassesAndRefusesOtherLabelsByValue() {
        Ade20kPalette palette = Ade20kPalette.get();
        assertEquals("wall", palette.name(0));
        assertEquals("flag", palette.name(149));
        assertArrayEquals(palette.colour(6), palette.colour(48));
        byte[] rgb = bytes(palette.colorize(ArrayImgs.unsignedShorts(new short[] {0, 149}, 2, 1)));
        assertEquals(palette.colour(149)[1], rgb[2 + 1] & 0xff);
        DiffijException e = assertThrows(DiffijException.class,
                () -> palette.colorize(ArrayImgs.unsignedShorts(new short[] {3, 151, 200}, 3, 1)));
        assertTrue(e.getMessage().startsWith("label 151 at x=1, y=0"), e.getMessage());
    }

    @Test
    void scribbleStrokesHaveTheirWidth() {
        byte[] map = bytes(new ScribbleMap(3).draw(List.of(new Polyline(new double[] {2, 18}, new double[] {10.5, 10.5})),
                20, 20));
        for (int y = 0; y < 20; y++) {
            boolean expected = y >= 9 && y <= 11;
            assertEquals(expected, map[y * 20 + 10] != 0, "row " + y);
        }
        assertThrows(DiffijException.class, () -> new ScribbleMap(3).draw(List.of(), 4, 4));
    }

    @Test
    void inpaintMaskFillsGrowsShrinksAndFeathers() {
        Polyline square = new Polyline(new double[] {5, 15, 15, 5}, new double[] {5, 5, 15, 15});
        assertEquals(100, count(bytes(new InpaintMask(0, 0).draw(List.of(square), 20, 20)), 255));
        int grown = count(bytes(new InpaintMask(2, 0).draw(List.of(square), 20, 20)), 255);
        assertTrue(grown > 100 + 4 * 2 * 10 && grown <= 14 * 14, "grown area " + grown);
        assertEquals(64, count(bytes(new InpaintMask(-1, 0).draw(List.of(square), 20, 20)), 255));
        Polyline hole = new Polyline(new double[] {8, 12, 12, 8}, new double[] {8, 8, 12, 12});
        byte[] ring = bytes(new InpaintMask(0, 0).drawAreas(List.of(List.of(square, hole)), 20, 20));
        assertEquals(100 - 16, count(ring, 255), "a ring inside another cuts a hole");
        assertEquals(0, ring[10 * 20 + 10]);
        Polyline large = new Polyline(new double[] {5, 35, 35, 5}, new double[] {5, 5, 35, 35});
        byte[] soft = bytes(new InpaintMask(0, 2).draw(List.of(large), 40, 40));
        int edge = soft[20 * 40 + 5] & 0xff;
        assertTrue(edge > 60 && edge < 200, "feathered edge " + edge);
        assertEquals(255, soft[20 * 40 + 20] & 0xff);
        assertTrue((soft[20 * 40] & 0xff) < 16, "4.5 px outside the edge the mask has faded");
    }

    @Test
    void modelSizeKeepsTheAspectInMultiplesAndCropsOrFits() {
        ModelResize fit = new ModelResize(512, 64, ModelResize.Mode.FIT);
        assertEquals(new ModelResize.Size(512, 384), fit.sizeFor(1000, 760));
        assertEquals(new ModelResize.Size(64, 512), fit.sizeFor(10, 1000));
        assertThrows(DiffijException.class, () -> new ModelResize(500, 64, ModelResize.Mode.FIT));
        byte[] stripes = new byte[8 * 4];
        for (int y = 0; y < 4; y++) {
            stripes[y * 8 + 7] = (byte) 255;
        }
        ModelResize crop = new ModelResize(64, 8, ModelResize.Mode.CROP);
        net.imglib2.img.Img<UnsignedByteType> cropped = crop.apply(ArrayImgs.unsignedBytes(stripes, 8, 4),
                ModelResize.Interpolation.NEAREST);
        assertEquals(64, cropped.dimension(0));
        assertEquals(32, cropped.dimension(1));
        assertEquals(255, bytes(cropped)[63] & 0xff);
        assertEquals(0, bytes(cropped)[55] & 0xff);
    }

    @Test
    void linearResizeMapsPixelCentresToPixelCentres() {
        float[] ramp = new float[8 * 8];
        for (int i = 0; i < ramp.length; i++) {
            ramp[i] = 10 * (i % 8);
        }
        float[] up = Images.floats((ArrayImg<FloatType, FloatArray>) new ModelResize(16, 8, ModelResize.Mode.FIT)
                .apply(ArrayImgs.floats(ramp, 8, 8), ModelResize.Interpolation.LINEAR));
        assertEquals(0f, up[0]);
        assertEquals(2.5f, up[1], 1e-6);
        assertEquals(67.5f, up[14], 1e-6);
        assertEquals(70f, up[15]);
        assertEquals(up[5], up[16 * 9 + 5]);
    }

    @Test
    void depthFromFocusFindsTheSharpSliceOfEachHalf() {
        int w = 32;
        int h = 16;
        int z = 5;
        float[] stack = new float[w * h * z];
        java.util.Random random = new java.util.Random(3);
        float[] texture = new float[w * h];
        for (int i = 0; i < texture.length; i++) {
            texture[i] = random.nextFloat();
        }
        for (int s = 0; s < z; s++) {
            float[] blurredLeft = Images.floats(SeparableFilter.gaussian(0.3 + 1.2 * Math.abs(s - 1))
                    .apply(ArrayImgs.floats(texture, w, h)));
            float[] blurredRight = Images.floats(SeparableFilter.gaussian(0.3 + 1.2 * Math.abs(s - 3))
                    .apply(ArrayImgs.floats(texture, w, h)));
            for (int i = 0; i < w * h; i++) {
                stack[s * w * h + i] = (i % w) < w / 2 ? blurredLeft[i] : blurredRight[i];
            }
        }
        float[] height = Images.floats((ArrayImg<FloatType, FloatArray>) new DepthFromFocus(5, 0)
                .heightMap(ArrayImgs.floats(stack, w, h, z)));
        assertEquals(1.0, height[8 * w + 5], 0.5);
        assertEquals(3.0, height[8 * w + 26], 0.5);
        byte[] rendered = bytes(DepthFromFocus.render(ArrayImgs.floats(height, w, h), DepthFromFocus.Near.LAST_SLICE));
        assertTrue((rendered[8 * w + 26] & 0xff) > (rendered[8 * w + 5] & 0xff), "the higher slice is brighter");
        assertThrows(DiffijException.class, () -> new DepthFromFocus(9, 8).heightMap(ArrayImgs.floats(4, 4, 2)));
    }

    private static int count(byte[] values, int value) {
        int n = 0;
        for (byte b : values) {
            n += (b & 0xff) == value ? 1 : 0;
        }
        return n;
    }
}
