package org.diffij.models.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.diffij.io.HostTensor;
import org.junit.jupiter.api.Test;

/** OpenCLIP's fused in_proj splits into q, k, v; its text projection transposes; LDM 1×1 conv weights become linear. */
class TensorTransformTest {

    private static final HostTensor FUSED = HostTensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 6, 2);

    @Test
    void inProjectionSplitsIntoThirds() {
        assertArrayEquals(new float[] {1, 2, 3, 4}, TensorTransform.FIRST_THIRD.apply(FUSED).toFloatArray());
        assertArrayEquals(new float[] {5, 6, 7, 8}, TensorTransform.SECOND_THIRD.apply(FUSED).toFloatArray());
        assertArrayEquals(new long[] {2, 2}, TensorTransform.LAST_THIRD.apply(FUSED).shape());
        assertArrayEquals(new float[] {9, 10, 11, 12}, TensorTransform.LAST_THIRD.apply(FUSED).toFloatArray());
    }

    @Test
    void projectionTransposes() {
        HostTensor t = TensorTransform.TRANSPOSE.apply(HostTensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        assertArrayEquals(new long[] {3, 2}, t.shape());
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, t.toFloatArray());
    }

    @Test
    void oneByOneConvWeightBecomesLinear() {
        HostTensor t = TensorTransform.CONV_TO_LINEAR.apply(HostTensor.ofFloats(new float[] {1, 2, 3, 4}, 2, 2, 1, 1));
        assertArrayEquals(new long[] {2, 2}, t.shape());
    }
}
