package org.diffij.conditioning;

import org.diffij.DiffijException;

/**
 * The arguments of {@code cv2.Canny(image, threshold1, threshold2, apertureSize, L2gradient)}.
 * ControlNet's canny annotator uses (100, 200), Krita AI Diffusion (80, 200); the thresholds may be
 * given in either order.
 */
public record CannyParameters(double threshold1, double threshold2, int apertureSize, boolean l2Gradient) {

    public static final CannyParameters CONTROLNET_DEFAULT = new CannyParameters(100, 200, 3, false);

    public CannyParameters {
        SobelKernels.checkAperture(apertureSize);
        if (Double.isNaN(threshold1) || Double.isNaN(threshold2)) {
            throw new DiffijException("Canny thresholds must be numbers");
        }
    }
}
