package org.diffij.conditioning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.real.FloatType;
import org.diffij.io.HostTensor;
import org.diffij.parity.Golden;
import org.diffij.parity.GoldenCase;
import org.junit.jupiter.api.Test;

/** Depth from focus against the golden focus stacks: the unregularised method is the recorded baseline. */
class DepthFromFocusGoldenTest {

    private static List<GoldenCase> focusCases() {
        List<GoldenCase> cases = Golden.manifest().cases().stream()
                .filter(c -> c.area().equals("conditioning") && c.params().get("kind").getAsString()
                        .equals("depth_from_focus")).toList();
        assertTrue(cases.size() >= 3, "focus stack cases found: " + cases.size());
        return cases;
    }

    private static float[] height(DepthFromFocus method, GoldenCase golden) {
        HostTensor stack = golden.input("stack");
        long[] zyx = stack.shape();
        return ((ArrayImg<FloatType, FloatArray>) method.heightMap(
                ArrayImgs.floats(stack.toFloatArray(), zyx[2], zyx[1], zyx[0]))).update(null).getCurrentStorageArray();
    }

    @Test
    void withoutSmoothingItIsTheBaselineOfTheCases() {
        for (GoldenCase golden : focusCases()) {
            float[] ours = height(new DepthFromFocus(9, 0), golden);
            float[] baseline = golden.expected("baseline_height").toFloatArray();
            assertEquals(baseline.length, ours.length);
            for (int i = 0; i < ours.length; i++) {
                assertEquals(baseline[i], ours[i], 1e-3, golden.id() + " pixel " + i);
            }
        }
    }

    @Test
    void theDefaultRegularisationCutsTheBaselineErrorByAtLeastAQuarter() {
        for (GoldenCase golden : focusCases()) {
            float[] ours = height(DepthFromFocus.standard(), golden);
            float[] truth = golden.expected("height").toFloatArray();
            double sum = 0;
            for (int i = 0; i < ours.length; i++) {
                sum += (ours[i] - truth[i]) * (double) (ours[i] - truth[i]);
            }
            double rmse = Math.sqrt(sum / ours.length);
            double baseline = golden.tolerance().get("rmse_max").getAsDouble();
            System.out.printf("%s: RMSE %.4f slices, baseline %.4f%n", golden.id(), rmse, baseline);
            assertTrue(rmse <= 0.75 * baseline, golden.id() + ": RMSE " + rmse + " vs baseline " + baseline);
        }
    }
}
