package org.diffij.plugin;

import ij.ImagePlus;
import ij.process.ColorProcessor;
import java.awt.EventQueue;
import java.awt.GraphicsEnvironment;
import java.lang.reflect.InvocationTargetException;
import org.diffij.image.RgbImage;
import org.diffij.pipelines.LatentPreview;
import org.diffij.pipelines.PreviewListener;

/**
 * The optional live view of a run: a small "Diffij preview" window showing the {@link LatentPreview}
 * of the first image after every step, one pixel per latent (an eighth of the image's size with the
 * usual VAEs; zoom the window to enlarge it). It opens at the first step and closes when the command's generations end,
 * where the result window takes over. Steps arrive on the engine's worker thread and are drawn on the
 * event thread; headless there is no window, but the preview image is still updated. Not part of the
 * request: the macro key {@code preview} changes nothing in the result or its provenance.
 */
final class LivePreview implements PreviewListener, AutoCloseable {

    static final String TITLE = "Diffij preview";

    private final boolean display = !GraphicsEnvironment.isHeadless();
    private ImagePlus image;
    private int updates;

    /** Declares the checkbox; its label starts with its macro key, {@code preview}. */
    static void declare(CommandParameters parameters) {
        parameters.addCheckbox("Preview (show each step live in a small window)", false);
    }

    /** Reads the checkbox: a new preview when it is on, null (no preview) when off. */
    static LivePreview read(CommandParameters parameters) {
        return parameters.nextBoolean() ? new LivePreview() : null;
    }

    @Override
    public void preview(int step, int steps, RgbImage preview) {
        ColorProcessor pixels = new ColorProcessor(preview.width(), preview.height(), preview.toPackedRgb());
        if (display) {
            EventQueue.invokeLater(() -> show(pixels));
        } else {
            show(pixels);
        }
    }

    private synchronized void show(ColorProcessor pixels) {
        if (image == null) {
            image = new ImagePlus(TITLE, pixels);
            if (display) {
                image.show();
            }
        } else {
            image.setProcessor(pixels);
            image.updateAndDraw();
        }
        updates++;
    }

    /** The preview image, null before the first step. */
    synchronized ImagePlus image() {
        return image;
    }

    /** How many steps were shown. */
    synchronized int updates() {
        return updates;
    }

    /**
     * Closes the window after the steps already queued are drawn, and waits for it, so that the
     * preview is gone before the result becomes the current image.
     */
    @Override
    public void close() {
        if (!display) {
            return;
        }
        Runnable closeWindow = () -> {
            ImagePlus shown = image();
            if (shown != null) {
                shown.close();
            }
        };
        if (EventQueue.isDispatchThread()) {
            closeWindow.run();
            return;
        }
        try {
            EventQueue.invokeAndWait(closeWindow);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("closing the preview window failed", e.getCause());
        }
    }
}
