package org.diffij.models.unet;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/** What a ControlNet adds to the UNet: one residual per skip state of the down path, and one to the mid block's output. */
public record ControlResiduals(List<NDArray> down, NDArray mid) {

    /** The sum of two ControlNets' residuals (several ControlNets at once). */
    public ControlResiduals plus(ControlResiduals other) {
        List<NDArray> sum = new ArrayList<>();
        for (int i = 0; i < down.size(); i++) {
            sum.add(down.get(i).add(other.down.get(i)));
        }
        return new ControlResiduals(sum, mid.add(other.mid));
    }
}
