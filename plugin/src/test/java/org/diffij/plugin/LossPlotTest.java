package org.diffij.plugin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.gui.Plot;
import org.diffij.training.Trainer;
import org.junit.jupiter.api.Test;

/** The live loss plot keeps its two curves apart (colour and legend) as steps are added. */
class LossPlotTest {

    private static Trainer.Progress step(long step, double loss, double mean) {
        return new Trainer.Progress(step, 3, loss, mean, 1e-3, 0.5, 0.1, 1);
    }

    @Test
    void rawLossStaysGreyAndTheMeanBlackWithTheirLegendAfterEveryStep() {
        LossPlot plot = new LossPlot("Training loss - test");
        plot.add(step(1, 1.4, 1.4));
        plot.add(step(2, 1.2, 1.3));
        plot.add(step(3, 1.3, 1.3));
        Plot drawn = (Plot) plot.image().getProperty(Plot.PROPERTY_KEY);
        assertEquals(3, plot.size());
        assertArrayEquals(new float[] {1, 2, 3}, drawn.getDataObjectArrays(0)[0]);
        assertArrayEquals(new float[] {1.4f, 1.2f, 1.3f}, drawn.getDataObjectArrays(0)[1]);
        assertArrayEquals(new float[] {1.4f, 1.3f, 1.3f}, drawn.getDataObjectArrays(1)[1]);
        assertEquals("loss", drawn.getPlotObjectLabel(0));
        assertEquals("mean", drawn.getPlotObjectLabel(1));
        assertTrue(drawn.getPlotObjectStyle(0).startsWith("gray,"), drawn.getPlotObjectStyle(0));
        assertTrue(drawn.getPlotObjectStyle(1).startsWith("black,"), drawn.getPlotObjectStyle(1));
    }
}
