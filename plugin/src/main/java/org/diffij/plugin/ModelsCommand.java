package org.diffij.plugin;

import ij.IJ;
import ij.measure.ResultsTable;
import ij.plugin.PlugIn;
import java.awt.GraphicsEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.diffij.DiffijException;
import org.diffij.io.ModelSummary;

/**
 * {@code Models...}: what the model folders of the Settings hold, one row per model folder or
 * weight file with its kind and architecture as {@link ModelSummary} reads them from the headers
 * (instant even for large checkpoints). Entries that are not models say why.
 */
public final class ModelsCommand implements PlugIn {

    private static final String TITLE = "Diffusion Models";

    /** One entry of a model folder; {@code kind} says why it is not a model when it is not one. */
    public record Entry(Path folder, String name, String kind, long parameters, String dtypes) {
    }

    @Override
    public void run(String arg) {
        DiffusionSettings settings = DiffusionSettings.load();
        if (settings.modelFolders().isEmpty()) {
            Feedback.report(TITLE, "no model folders are set: add them in Plugins > Diffusion > Settings...");
            return;
        }
        List<Entry> entries = scan(settings.modelFolders());
        ResultsTable table = new ResultsTable();
        for (Entry entry : entries) {
            table.incrementCounter();
            table.addValue("Folder", entry.folder().toString());
            table.addValue("Name", entry.name());
            table.addValue("Kind", entry.kind());
            table.addValue("Parameters (M)", entry.parameters() / 1e6);
            table.addValue("Dtypes", entry.dtypes());
            if (GraphicsEnvironment.isHeadless()) {
                IJ.log(String.format(Locale.ROOT, "%s: %s (%.1f M parameters, %s)", entry.name(), entry.kind(),
                        entry.parameters() / 1e6, entry.dtypes()));
            }
        }
        if (!GraphicsEnvironment.isHeadless()) {
            table.show(TITLE);
        }
    }

    /** The entries of the folders, sorted by name within each folder. */
    public static List<Entry> scan(List<Path> folders) {
        List<Entry> entries = new ArrayList<>();
        for (Path folder : folders) {
            if (!Files.isDirectory(folder)) {
                entries.add(new Entry(folder, "", "not a folder", 0, ""));
                continue;
            }
            try (Stream<Path> children = Files.list(folder)) {
                for (Path child : children.sorted().toList()) {
                    entries.add(entry(folder, child));
                }
            } catch (IOException e) {
                entries.add(new Entry(folder, "", "cannot be listed: " + e.getMessage(), 0, ""));
            }
        }
        return entries;
    }

    private static Entry entry(Path folder, Path child) {
        String name = child.getFileName().toString();
        try {
            ModelSummary summary = ModelSummary.of(child);
            List<String> dtypes = new ArrayList<>();
            summary.parts().forEach(p -> p.dtypes().keySet().forEach(d -> {
                if (!dtypes.contains(d.toString())) {
                    dtypes.add(d.toString());
                }
            }));
            return new Entry(folder, name, summary.kind(), summary.parameters(), String.join(" ", dtypes));
        } catch (DiffijException e) {
            return new Entry(folder, name, "not a model: " + e.getMessage(), 0, "");
        }
    }
}
