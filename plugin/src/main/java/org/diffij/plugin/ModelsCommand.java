package org.diffij.plugin;

import ij.IJ;
import ij.measure.ResultsTable;
import ij.plugin.PlugIn;
import java.awt.GraphicsEnvironment;
import java.util.List;
import java.util.Locale;
import org.diffij.hub.HubSettings;
import org.diffij.hub.ModelListing;
import org.diffij.hub.ModelPull;
import org.diffij.hub.RepoReference;

/**
 * {@code Models...}: what {@code diffij models list} lists, the hub cache and the model folders of the
 * Settings, as a table (the Log, headless): size, hash, dtypes, parameters, kind and what a pipeline
 * would still miss, one row per model ({@link ModelListing}). Its {@code pull} key first downloads a hub
 * repo into the cache as {@code diffij models pull} does, with ImageJ's progress bar and status line.
 */
public final class ModelsCommand implements PlugIn {

    static final String TITLE = "Diffusion Models";

    /** A progress bar and status line; ImageJ's own outside tests ({@link #IMAGEJ}). */
    interface ProgressBar {
        void show(double fraction, String status);
    }

    static final ProgressBar IMAGEJ = (fraction, status) -> {
        IJ.showStatus(status);
        IJ.showProgress(fraction);
    };

    /** The status line is rewritten at most this often: a pull reports every 64 KiB. */
    private static final long REDRAW_NANOS = 100_000_000L;

    @Override
    public void run(String arg) {
        Feedback.guarded(TITLE, () -> {
            CommandParameters parameters = CommandParameters.forCurrentRun("Models...");
            parameters.addMessage("Lists the hub cache and the model folders of Settings...; a repo given below is\n"
                    + "downloaded into the hub cache first (as diffij models pull).");
            parameters.addString("Pull (hub repo org/name[@revision][:path]; empty = list only)", "", 40);
            parameters.addString("Variant (weights variant such as fp16; empty = the main weights)", "", 10);
            if (!parameters.show()) {
                return;
            }
            String repo = parameters.nextString().strip();
            String variant = parameters.nextString().strip();
            // Not remembered: a repo proposed again would be asked of the hub at every opening.
            HubSettings hub = HubSettings.fromEnvironment();
            if (!repo.isEmpty()) {
                ModelPull.Result result = pull(hub, repo, variant, IMAGEJ);
                IJ.log(TITLE + ": " + repo + " at " + result.commit() + ", " + result.files().size() + " files, "
                        + megabytes(result.bytesDownloaded()) + " downloaded: " + result.path());
            }
            List<ModelListing.Place> places = ModelListing.list(hub, DiffusionSettings.load().modelFolders(),
                    listing(IMAGEJ));
            IMAGEJ.show(1, "");
            ResultsTable table = table(places);
            if (GraphicsEnvironment.isHeadless()) {
                for (int row = 0; row < table.size(); row++) {
                    IJ.log(table.getRowAsString(row));
                }
            } else {
                table.show(TITLE);
            }
        });
    }

    /** Pulls the repo as {@code diffij models pull} does, showing the bytes on the bar. */
    static ModelPull.Result pull(HubSettings hub, String repo, String variant, ProgressBar bar) {
        ModelPull.Result result = new ModelPull(hub).pull(RepoReference.require(repo),
                new ModelPull.Options(variant.isEmpty() ? null : variant, List.of()), download(bar));
        bar.show(1, "");
        return result;
    }

    /** A pull's progress as the bar's fraction and a status line: file, MB done of total, rate. */
    static ModelPull.Progress download(ProgressBar bar) {
        long[] lastDraw = {0};
        return (file, done, total, bytesPerSecond) -> {
            long now = System.nanoTime();
            if (lastDraw[0] != 0 && now - lastDraw[0] < REDRAW_NANOS && done < total) {
                return;
            }
            lastDraw[0] = now;
            bar.show(total <= 0 ? 0 : Math.min(1, (double) done / total), String.format(Locale.ROOT,
                    "Pulling %s: %s of %s, %s/s", file, megabytes(done), megabytes(total),
                    megabytes((long) bytesPerSecond)));
        };
    }

    /** The listing's progress: entries described of all, and the one being hashed. */
    static ModelListing.Progress listing(ProgressBar bar) {
        return (index, count, name) -> bar.show((double) index / count, "Models: hashing " + name + " ("
                + (index + 1) + " of " + count + ")");
    }

    /** One row per model, with the place it is in; a folder that cannot be listed is a row saying why. */
    static ResultsTable table(List<ModelListing.Place> places) {
        ResultsTable table = new ResultsTable();
        for (ModelListing.Place place : places) {
            String where = (place.hubCache() ? "hub cache " : "") + place.folder();
            if (place.problem() != null) {
                table.incrementCounter();
                table.addValue("Place", where);
                table.addValue("Name", "");
                table.addValue("Kind", place.problem());
                continue;
            }
            for (ModelListing.Entry entry : place.entries()) {
                table.incrementCounter();
                table.addValue("Place", where);
                table.addValue("Name", entry.name());
                table.addValue("Size (MB)", entry.bytes() / 1e6);
                table.addValue("Hash", entry.hash());
                table.addValue("Dtypes", entry.dtypes());
                table.addValue("Parameters (M)", entry.parameters() / 1e6);
                table.addValue("Kind", entry.kind());
                table.addValue("Missing for a pipeline", entry.missing());
            }
        }
        return table;
    }

    private static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
