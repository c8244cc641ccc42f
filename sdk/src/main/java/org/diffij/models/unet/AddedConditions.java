package org.diffij.models.unet;

import ai.djl.ndarray.NDArray;

/** SDXL's extra conditioning: the pooled text embedding {@code (B, D)} and the size/crop ids {@code (B, 6)}. */
public record AddedConditions(NDArray textEmbeds, NDArray timeIds) {
}
