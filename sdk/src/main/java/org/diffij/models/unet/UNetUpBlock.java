package org.diffij.models.unet;

import ai.djl.ndarray.NDArray;
import java.util.Deque;

/** An up level of the UNet: each resnet consumes the latest skip state, concatenated on the channel axis. */
public interface UNetUpBlock {

    /**
     * @param skips the down path's states; this block pops its own from the end
     * @param upsampleHeight, upsampleWidth the size to upsample to (the next skip state's), ignored at the last level
     */
    NDArray forward(NDArray x, Deque<NDArray> skips, NDArray temb, NDArray context, long upsampleHeight,
            long upsampleWidth);
}
