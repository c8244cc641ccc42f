package org.diffij.conditioning;

/**
 * How a filter reads pixels outside the image, with OpenCV's names and index rules (the reference
 * implementations of every conditioning map are OpenCV calls, so the borders must agree exactly).
 */
public enum Border {

    /**
     * {@code BORDER_REFLECT_101}, OpenCV's default ({@code dcb|abcd|cba}): index -i reads i, index
     * n-1+i reads n-1-i, reflected again while the kernel reaches further than the image; an axis of
     * length 1 repeats its pixel.
     */
    REFLECT_101 {
        @Override
        public int index(int position, int length) {
            if (length == 1) {
                return 0;
            }
            int p = position;
            while (p < 0 || p >= length) {
                p = p < 0 ? -p : 2 * length - 2 - p;
            }
            return p;
        }
    },

    /** {@code BORDER_REPLICATE} ({@code aaa|abcd|ddd}), the border of OpenCV's Canny gradients. */
    REPLICATE {
        @Override
        public int index(int position, int length) {
            return Math.min(Math.max(position, 0), length - 1);
        }
    };

    /** The index inside {@code [0, length)} that a read at {@code position} of an axis of that length reads. */
    public abstract int index(int position, int length);
}
