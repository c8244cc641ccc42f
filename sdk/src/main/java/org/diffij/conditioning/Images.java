package org.diffij.conditioning;

import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.basictypeaccess.array.ByteArray;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.real.FloatType;

/** The primitive arrays behind the array images this package allocates (x fastest, then y, then channel). */
final class Images {

    private Images() {
    }

    static float[] floats(ArrayImg<FloatType, FloatArray> image) {
        return image.update(null).getCurrentStorageArray();
    }

    static byte[] bytes(ArrayImg<UnsignedByteType, ByteArray> image) {
        return image.update(null).getCurrentStorageArray();
    }
}
