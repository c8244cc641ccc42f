package org.diffij.models.lora;

import java.util.Arrays;
import org.diffij.DiffijException;
import org.diffij.io.HostTensor;

/**
 * One adapted layer: {@code down [rank, in, (kh, kw)]} and {@code up [out, rank, (1, 1)]}; its
 * weight change at scale s is {@code s · alpha / rank · up @ down}, reshaped to the layer's weight.
 */
public record LoraLayer(String module, HostTensor down, HostTensor up, float alpha) {

    public int rank() {
        return Math.toIntExact(down.shape()[0]);
    }

    /** {@code factor · up @ down} as float32 of {@code weightShape}. */
    float[] delta(long[] weightShape, float factor) {
        long[] d = down.shape();
        long[] u = up.shape();
        int rank = rank();
        int out = Math.toIntExact(u[0]);
        int in = Math.toIntExact(down.numel() / rank);
        if (u.length < 2 || u[1] != rank || up.numel() != (long) out * rank
                || HostTensor.numel(weightShape) != (long) out * in || weightShape[0] != out) {
            throw new DiffijException("LoRA layer " + module + ": up " + Arrays.toString(u) + " and down "
                    + Arrays.toString(d) + " do not fit the weight " + Arrays.toString(weightShape));
        }
        float[] a = up.toFloatArray();
        float[] b = down.toFloatArray();
        float[] result = new float[out * in];
        for (int i = 0; i < out; i++) {
            int row = i * in;
            for (int r = 0; r < rank; r++) {
                float coefficient = a[i * rank + r] * factor;
                int base = r * in;
                for (int j = 0; j < in; j++) {
                    result[row + j] += coefficient * b[base + j];
                }
            }
        }
        return result;
    }
}
