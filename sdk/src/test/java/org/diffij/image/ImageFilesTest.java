package org.diffij.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.diffij.DiffijException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFilesTest {

    @TempDir
    Path dir;

    @Test
    void float32TiffIsNormalisedMinToMaxOverThePage() throws IOException {
        ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_FLOAT);
        WritableRaster raster = model.createCompatibleWritableRaster(5, 2);
        float[] values = {-2, -1, 0, 1, 2, 0.5f, Float.NaN, Float.POSITIVE_INFINITY, 0, 0};
        raster.setPixels(0, 0, 5, 2, values);
        Path tiff = dir.resolve("float.tif");
        assertTrue(ImageIO.write(new BufferedImage(model, raster, false, null), "tiff", tiff.toFile()));
        RgbImage image = ImageFiles.readRgb(tiff);
        assertEquals(5, image.width());
        int[] packed = image.toPackedRgb();
        // min -2 -> 0, max 2 -> 255 (the infinity is not finite), NaN and infinity black; grey in all channels.
        assertEquals(0x000000, packed[0]);
        assertEquals(0xffffff, packed[4]);
        assertEquals(0x808080, packed[2]);
        assertEquals(0x000000, packed[6]);
        assertEquals(0x000000, packed[7]);
    }

    @Test
    void theHeaderSizeIsCheckedBeforeDecoding() throws IOException {
        Path bomb = Files.write(dir.resolve("bomb.png"), pngHeader(30_000, 30_000));
        DiffijException e = assertThrows(DiffijException.class, () -> ImageFiles.readRgb(bomb));
        assertTrue(e.getMessage().contains("30000x30000") && e.getMessage().contains("32 megapixels"), e.getMessage());
        assertThrows(DiffijException.class, () -> ImageFiles.pageSizes(bomb));
    }

    @Test
    void onlyRegularFilesAreRead() {
        DiffijException e = assertThrows(DiffijException.class, () -> ImageFiles.readRgb(dir));
        assertTrue(e.getMessage().contains("is a folder"), e.getMessage());
        if (Files.exists(Path.of("/dev/zero"))) {
            e = assertThrows(DiffijException.class, () -> ImageFiles.readRgb(Path.of("/dev/zero")));
            assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
        }
    }

    /** A PNG signature and IHDR chunk: all a reader needs to report the size. */
    private static byte[] pngHeader(int width, int height) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        byte[] type = "IHDR".getBytes(StandardCharsets.US_ASCII);
        byte[] data = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2).array();
        out.write(ByteBuffer.allocate(4).putInt(13).array());
        out.write(type);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(type);
        crc.update(data);
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        return out.toByteArray();
    }
}
