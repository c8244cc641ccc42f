package org.diffij.plugin;

import ij.IJ;
import ij.plugin.PlugIn;
import java.io.File;
import java.nio.file.Path;
import org.diffij.DiffijException;
import org.diffij.engine.DiffijEngine;

/**
 * {@code Settings...}: the model folders, the diffusers folder for single-file checkpoints, and the
 * engine's device, threads and memory budget, kept in ImageJ's preferences. The engine reads device
 * and threads once when it starts; changed after that, they apply at the next start of Fiji.
 */
public final class SettingsCommand implements PlugIn {

    private static final String TITLE = "Diffusion Settings";

    @Override
    public void run(String arg) {
        try {
            DiffusionSettings settings = edit(DiffusionSettings.load(), CommandParameters.forCurrentRun(TITLE));
            if (settings != null) {
                IJ.showStatus(TITLE + ": saved");
            }
        } catch (DiffijException e) {
            Feedback.report(TITLE, e.getMessage());
        }
    }

    /** Applies macro-style options ({@code models=... config=... device=... threads=... memory=...}). */
    public static DiffusionSettings apply(String options) {
        return edit(DiffusionSettings.load(), CommandParameters.forOptions(TITLE, options));
    }

    /** The model folders text with {@code folder} added at the end (once). */
    static String withFolder(String folders, String folder) {
        if (DiffusionSettings.folders(folders).contains(Path.of(folder))) {
            return folders;
        }
        String text = folders.strip();
        return text.isEmpty() ? folder : text + File.pathSeparator + folder;
    }

    private static DiffusionSettings edit(DiffusionSettings current, CommandParameters parameters) {
        parameters.addString("Models (model folders, separated by " + File.pathSeparator + ")",
                current.modelFoldersText(), 50);
        parameters.addBrowse(CommandParameters.Browse.FOLDER, SettingsCommand::withFolder);
        parameters.addString("Config (diffusers folder for single-file checkpoints; empty = none)",
                current.singleFileConfig(), 50);
        parameters.addBrowse(CommandParameters.Browse.FOLDER, (text, folder) -> folder);
        parameters.addChoice("Device", new String[] {"auto", "cpu", "gpu"}, current.device().startsWith("gpu")
                ? "gpu" : current.device());
        parameters.addNumber("Threads (0 = libtorch's default)", current.threads(), 0);
        parameters.addString("Memory budget for cached models (e.g. 8g; empty = half the memory)",
                current.memoryBudget(), 10);
        if (DiffijEngine.isStarted()) {
            parameters.addMessage("The engine is running (" + DiffijEngine.get().describe()
                    + "): device and threads apply after a restart.");
        }
        if (!parameters.show()) {
            return null;
        }
        String folders = parameters.nextString();
        String config = parameters.nextString();
        String device = parameters.nextChoice();
        int threads = (int) parameters.nextNumber();
        String budget = parameters.nextString();
        DiffusionSettings settings = new DiffusionSettings(DiffusionSettings.folders(folders), config, device, threads,
                budget);
        // Bad threads or budget are refused before anything is saved.
        settings.engineSettings();
        settings.save();
        if (!settings.applyToEngine() && (!device.equals(current.device()) || threads != current.threads())) {
            Feedback.message(TITLE, "The engine is already running: the new device and thread count apply after "
                    + "restarting ImageJ.");
        }
        return settings;
    }
}
