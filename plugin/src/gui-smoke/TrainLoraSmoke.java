import ij.IJ;
import ij.ImageJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.gui.ImageWindow;
import ij.gui.Plot;
import ij.gui.PlotWindow;
import ij.gui.StackWindow;
import ij.process.ImageProcessor;
import java.awt.Button;
import java.awt.Choice;
import java.awt.Component;
import java.awt.Container;
import java.awt.EventQueue;
import java.awt.Label;
import java.awt.Point;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.TextField;
import java.awt.Window;
import java.awt.event.InputEvent;
import java.awt.event.KeyEvent;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

/**
 * The Train > LoRA... part of {@code plugin/gui-smoke-test.sh}, run with ImageJ 1 on the class path
 * (Java's single-file launch) on a virtual display: starts ImageJ with the plugins folder of
 * {@code -Dplugins.dir}, opens a two-slice stack, opens Plugins > Diffusion > Train > LoRA... on the
 * menu bar with mouse and keys (java.awt.Robot, as a user would), fills the dialog's fields by their
 * labels (the request's keys), clicks OK, waits for the run and saves screenshots of the menu, the
 * dialog, the loss plot and the "Training samples" stack. It then checks what a broken plugin would
 * change: the dialog fits the screen, the plot holds one point per logged step (loss in grey and
 * mean in black, with their legend), the samples' slice labels carry step and prompt, and each
 * screenshot is a PNG of its window's size that is not one flat colour. Exits 1 with the first
 * failed check.
 *
 * <pre>java -cp ij.jar -Dplugins.dir=IMAGEJ TrainLoraSmoke.java OUTPUT_FOLDER MODEL</pre>
 */
public final class TrainLoraSmoke {

    private static final int STEPS = 6;
    private static final int SAMPLE_EVERY = 2;
    private static final String PROMPT = "a micrograph of cells";
    private static final String NAME = "cells-lora";
    private static final long RUN_SECONDS = 300;

    private final Path out;
    private final Robot robot;

    private TrainLoraSmoke(Path out) throws Exception {
        this.out = out;
        this.robot = new Robot();
        robot.setAutoDelay(40);
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: TrainLoraSmoke OUTPUT_FOLDER MODEL");
            System.exit(2);
        }
        TrainLoraSmoke smoke = new TrainLoraSmoke(Path.of(args[0]));
        try {
            smoke.run(args[1]);
            System.out.println("Train > LoRA... smoke test passed");
            System.exit(0);
        } catch (AssertionError | Exception e) {
            System.err.println("Train > LoRA... smoke test FAILED: " + e.getMessage());
            smoke.screen("failure-training");
            System.err.println("ImageJ log:\n" + IJ.getLog());
            System.exit(1);
        }
    }

    private void run(String model) throws Exception {
        ImageJ.main(new String[0]);
        ImageJ imagej = waitFor("the ImageJ window", 60, () -> {
            ImageJ ij = IJ.getInstance();
            return ij != null && ij.isShowing() ? ij : null;
        });
        pause(2000);
        ImagePlus cells = cells();
        onEventThread(cells::show);
        waitFor("the cells stack's window", 10, () -> cells.getWindow() != null && cells.getWindow().isShowing()
                ? cells.getWindow() : null);
        Path prompts = Files.writeString(out.resolve("sample-prompts.txt"),
                PROMPT + " --w 64 --h 64 --s 4 --d 3 --ss euler\n");
        Path output = out.resolve(NAME + ".safetensors");
        Files.deleteIfExists(output);

        GenericDialog dialog = openLoraDialog(imagej);
        pause(1000);
        Map<String, String> values = new LinkedHashMap<>();
        values.put("model", model);
        values.put("steps", Integer.toString(STEPS));
        values.put("lr", "1e-3");
        values.put("rank", "2");
        values.put("alpha", "2");
        values.put("resolution", "64");
        values.put("seed", "5");
        values.put("sample_every", Integer.toString(SAMPLE_EVERY));
        values.put("sample_prompts", prompts.toString());
        values.put("output", output.toString());
        fill(dialog, values);
        pause(500);
        screen("5-lora-dialog");
        Button ok = dialog.getButtons()[0];
        Point at = ok.getLocationOnScreen();
        Rectangle display = new Rectangle(java.awt.Toolkit.getDefaultToolkit().getScreenSize());
        check(display.contains(new Rectangle(at, ok.getSize())), "the dialog's OK button at " + at.x + "," + at.y
                + " is outside the " + display.width + "x" + display.height + " screen (dialog " + dialog.getWidth()
                + "x" + dialog.getHeight() + ")");
        click(at.x + ok.getWidth() / 2, at.y + ok.getHeight() / 2);
        waitFor("the dialog's closing after OK", 10, () -> dialog.isShowing() ? null : dialog);

        ImagePlus samples = waitFor("the Training samples stack (the run's end)", RUN_SECONDS, () -> {
            ImagePlus image = WindowManager.getImage("Training samples - " + NAME);
            return image != null && image.getWindow() != null && image.getWindow().isShowing() ? image : null;
        });
        pause(1500);
        long logged = loggedSteps();
        check(logged == STEPS, "the Log says " + logged + " steps were trained, not " + STEPS);
        check(Files.isRegularFile(output), "no trained file " + output);

        ImagePlus lossImage = WindowManager.getImage("Training loss - " + NAME);
        check(lossImage != null && lossImage.getWindow() instanceof PlotWindow,
                "no plot window 'Training loss - " + NAME + "'");
        checkLossPlot(((PlotWindow) lossImage.getWindow()).getPlot(), logged);
        checkSamples(samples);

        // The samples are 64x64: four times larger, so that the screenshot shows them.
        IJ.run(samples, "Set... ", "zoom=400");
        pause(1000);
        window("6-loss-plot", lossImage.getWindow());
        window("7-training-samples", samples.getWindow());
    }

    /** Two curves, the raw loss (grey) and its running mean (black), labelled for the legend, a point per step. */
    private static void checkLossPlot(Plot plot, long logged) {
        String[] curves = {"loss", "mean"};
        String[] colours = {"gray", "black"};
        for (int set = 0; set < 2; set++) {
            check(curves[set].equals(plot.getPlotObjectLabel(set)) && plot.getPlotObjectStyle(set).startsWith(
                    colours[set] + ","), "plot curve " + set + " is '" + plot.getPlotObjectLabel(set) + "' drawn "
                            + plot.getPlotObjectStyle(set) + ", not '" + curves[set] + "' in " + colours[set]);
            float[][] points = plot.getDataObjectArrays(set);
            check(points != null && points[0].length == logged, "plot data set " + set + " has "
                    + (points == null ? 0 : points[0].length) + " points for " + logged + " logged steps");
            for (int i = 0; i < points[0].length; i++) {
                check(points[0][i] == i + 1, "plot point " + i + " is at step " + points[0][i]);
                check(Float.isFinite(points[1][i]) && points[1][i] > 0, "plot point " + i + " has loss "
                        + points[1][i]);
            }
        }
    }

    /** A slice per sample, labelled with its step and prompt, in order. */
    private static void checkSamples(ImagePlus samples) {
        int expectedSlices = STEPS / SAMPLE_EVERY;
        check(samples.getStackSize() == expectedSlices, "the samples stack has " + samples.getStackSize()
                + " slices, not " + expectedSlices + " (every " + SAMPLE_EVERY + " of " + STEPS + " steps)");
        Pattern label = Pattern.compile("step (\\d+): (.*)");
        for (int slice = 1; slice <= samples.getStackSize(); slice++) {
            String text = samples.getStack().getSliceLabel(slice);
            Matcher m = label.matcher(text == null ? "" : text);
            // The prompt as generated, with the LoRA of that step as a tag after it.
            check(m.matches() && Integer.parseInt(m.group(1)) == slice * SAMPLE_EVERY
                    && m.group(2).startsWith(PROMPT + " <lora:"), "slice " + slice + " is labelled '" + text
                            + "', not 'step " + slice * SAMPLE_EVERY + ": " + PROMPT + " <lora:...>'");
        }
    }

    /**
     * Plugins (on the main window's menu bar, ImageJ 1's default fonts) > Diffusion (the last entry of
     * a bare ImageJ's Plugins menu) > Train (the last entry of Diffusion) > LoRA... (its first), by
     * mouse and arrow keys. A key pressed before a menu is open moves along the menu bar instead, so
     * a try that opened no dialog is closed with Esc and repeated.
     */
    private GenericDialog openLoraDialog(ImageJ imagej) {
        for (int attempt = 1; ; attempt++) {
            Point menuBar = imagej.getLocationOnScreen();
            click(menuBar.x + 321, menuBar.y + 12);
            pause(1500);
            keys(KeyEvent.VK_UP, KeyEvent.VK_RIGHT, KeyEvent.VK_UP, KeyEvent.VK_RIGHT);
            pause(1000);
            screen("4-train-menu");
            keys(KeyEvent.VK_ENTER);
            try {
                GenericDialog dialog = waitFor("the LoRA... dialog", 15, () -> {
                    for (Window window : Window.getWindows()) {
                        if (window instanceof GenericDialog d && d.isShowing() && "LoRA...".equals(d.getTitle())) {
                            return d;
                        }
                    }
                    return null;
                });
                pause(1000);
                return dialog;
            } catch (AssertionError missing) {
                if (attempt == 3) {
                    throw new AssertionError(missing.getMessage() + " after " + attempt + " tries of the menu");
                }
                System.out.println("menu try " + attempt + " opened no LoRA... dialog; again");
                keys(KeyEvent.VK_ESCAPE, KeyEvent.VK_ESCAPE, KeyEvent.VK_ESCAPE);
                pause(1000);
            }
        }
    }

    /** Two 64x64 slices with bright discs on a dark ground, labelled as captions. */
    private static ImagePlus cells() {
        ImagePlus cells = IJ.createImage("cells", "8-bit black", 64, 64, 2);
        for (int slice = 1; slice <= 2; slice++) {
            ImageProcessor ip = cells.getStack().getProcessor(slice);
            ip.setColor(slice == 1 ? 230 : 120);
            ip.fillOval(8 * slice, 12, 24, 24);
            ip.fillOval(36, 30 + 4 * slice, 18, 18);
        }
        cells.getStack().setSliceLabel("bright cells", 1);
        cells.getStack().setSliceLabel("dark cells", 2);
        return cells;
    }

    /**
     * Sets the fields of the given keys: a label precedes its field in the dialog, and ImageJ shows a
     * key's underscores as spaces.
     */
    private static void fill(GenericDialog dialog, Map<String, String> values) throws Exception {
        Map<String, Component> fields = new LinkedHashMap<>();
        collect(dialog, new String[1], fields);
        for (String key : values.keySet()) {
            check(fields.get(key.replace('_', ' ')) instanceof TextField, "the LoRA... dialog has no text field '"
                    + key + "'; it has " + fields.keySet());
        }
        onEventThread(() -> values.forEach((key, value) -> ((TextField) fields.get(key.replace('_', ' ')))
                .setText(value)));
    }

    private static void collect(Container container, String[] lastLabel, Map<String, Component> fields) {
        for (Component c : container.getComponents()) {
            if (c instanceof Label l) {
                lastLabel[0] = l.getText().strip();
            } else if ((c instanceof TextField || c instanceof Choice) && lastLabel[0] != null) {
                fields.putIfAbsent(lastLabel[0], c);
                lastLabel[0] = null;
            } else if (c instanceof Container inner) {
                collect(inner, lastLabel, fields);
            }
        }
    }

    /** The step count of the Log's "trained N steps" line. */
    private static long loggedSteps() {
        Matcher m = Pattern.compile("trained (\\d+) steps").matcher(IJ.getLog() == null ? "" : IJ.getLog());
        check(m.find(), "the Log has no 'trained N steps' line");
        return Long.parseLong(m.group(1));
    }

    /** A screenshot of one window, checked: a PNG of the window's size that is not one flat colour. */
    private void window(String name, ImageWindow window) throws Exception {
        onEventThread(window::toFront);
        pause(800);
        Rectangle bounds = new Rectangle(window.getLocationOnScreen(), window.getSize());
        Path file = save(name, robot.createScreenCapture(bounds));
        check(Files.size(file) > 0, file + " is empty");
        BufferedImage back = ImageIO.read(file.toFile());
        check(back != null, file + " is not a PNG");
        check(back.getWidth() == bounds.width && back.getHeight() == bounds.height, file + " is " + back.getWidth()
                + "x" + back.getHeight() + ", the window " + bounds.width + "x" + bounds.height);
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < back.getHeight(); y++) {
            for (int x = 0; x < back.getWidth(); x++) {
                colours.add(back.getRGB(x, y));
            }
        }
        check(colours.size() > 1, file + " is one flat colour");
        System.out.println("screenshot " + file + " (" + bounds.width + "x" + bounds.height + ", " + colours.size()
                + " colours" + (window instanceof StackWindow ? ", " + window.getImagePlus().getStackSize()
                        + " slices" : "") + ")");
    }

    private void screen(String name) {
        try {
            Rectangle all = new Rectangle(java.awt.Toolkit.getDefaultToolkit().getScreenSize());
            System.out.println("screenshot " + save(name, robot.createScreenCapture(all)));
        } catch (IOException e) {
            System.err.println("could not save screenshot " + name + ": " + e.getMessage());
        }
    }

    private Path save(String name, BufferedImage image) throws IOException {
        Path file = out.resolve(name + ".png");
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    private void click(int x, int y) {
        robot.mouseMove(x, y);
        robot.mousePress(InputEvent.BUTTON1_DOWN_MASK);
        robot.mouseRelease(InputEvent.BUTTON1_DOWN_MASK);
    }

    private void keys(int... codes) {
        for (int code : codes) {
            robot.keyPress(code);
            robot.keyRelease(code);
            pause(500);
        }
    }

    private static void check(boolean holds, String failure) {
        if (!holds) {
            throw new AssertionError(failure);
        }
    }

    private static <T> T waitFor(String what, long seconds, Supplier<T> found) {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            T value = found.get();
            if (value != null) {
                return value;
            }
            pause(250);
        }
        throw new AssertionError(what + " did not appear within " + seconds + " s");
    }

    private static void onEventThread(Runnable action) throws Exception {
        EventQueue.invokeAndWait(action);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }
}
