package org.diffij.plugin;

import ij.ImagePlus;
import ij.gui.Plot;
import java.awt.Color;
import java.awt.GraphicsEnvironment;
import java.util.Arrays;
import org.diffij.training.Trainer;

/**
 * The live loss of a training run: an ImageJ {@link Plot} of every step's loss (raw, grey) and its
 * running mean over the trainer's window (the status line's "mean", black), shown once the first
 * step is done (with a display) and redrawn after every step.
 */
final class LossPlot {

    private final Plot plot;
    private double[] steps = new double[0];
    private double[] raw = new double[0];
    private double[] mean = new double[0];
    private boolean shown;

    LossPlot(String title) {
        plot = new Plot(title, "step", "loss");
    }

    /** Adds a step (called on the engine's worker; ImageJ's plot window redraws itself). */
    synchronized void add(Trainer.Progress progress) {
        int n = steps.length;
        steps = Arrays.copyOf(steps, n + 1);
        raw = Arrays.copyOf(raw, n + 1);
        mean = Arrays.copyOf(mean, n + 1);
        steps[n] = progress.step();
        raw[n] = progress.loss();
        mean[n] = progress.meanLoss();
        // Plot.replace draws in the current colour and drops the curve's label: both are set again each time.
        plot.setColor(Color.GRAY);
        if (n == 0) {
            plot.add("line", steps, raw);
        } else {
            plot.replace(0, "line", steps, raw);
        }
        plot.setColor(Color.BLACK);
        if (n == 0) {
            plot.add("line", steps, mean);
        } else {
            plot.replace(1, "line", steps, mean);
        }
        plot.setLegend("loss\tmean", Plot.AUTO_POSITION);
        plot.setLimitsToFit(false);
        if (GraphicsEnvironment.isHeadless()) {
            return;
        }
        if (!shown) {
            plot.show();
            shown = true;
        } else {
            plot.updateImage();
        }
    }

    /** The steps plotted so far. */
    synchronized int size() {
        return steps.length;
    }

    /** The plot as an image (what the window shows). */
    synchronized ImagePlus image() {
        return plot.getImagePlus();
    }
}
