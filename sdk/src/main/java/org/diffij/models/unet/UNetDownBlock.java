package org.diffij.models.unet;

import ai.djl.ndarray.NDArray;
import java.util.List;

/** A down level of the UNet: its output feature map, and each intermediate state kept for the skip connections. */
public interface UNetDownBlock {

    /** Returns the block's output and appends its skip states to {@code skips}. */
    NDArray forward(NDArray x, NDArray temb, NDArray context, List<NDArray> skips);
}
