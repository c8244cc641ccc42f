package org.diffij.plugin;

import ij.ImagePlus;
import ij.Prefs;
import ij.WindowManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.diffij.pipelines.GenerationRequest;

/**
 * {@code Generate with ControlNet...}: text to image steered by control images taken from open
 * windows (e.g. made by {@code Plugins > Diffusion > Control > Canny Edges...}). The {@code controls}
 * key lists them as {@code type|model|image|scale|start|end}, several separated by {@code ;}; the
 * dialog proposes the current image with the last ControlNet model used, and a chooser of the open
 * windows sets the first control's image (the chooser itself is not recorded: the key stays {@code controls}).
 */
public final class ControlNetCommand extends DiffusionCommand {

    @Override
    protected String title() {
        return "Generate with ControlNet";
    }

    @Override
    protected boolean needsImage() {
        return true;
    }

    @Override
    protected ImagePlus generate(ImagePlus source, CommandParameters parameters, Operations operations) {
        RequestFields.declare(parameters, source.getWidth(), source.getHeight());
        List<String> controlNets = ModelChoices.in(DiffusionSettings.load().modelFolders()).controlNets();
        String model = proposedModel(Prefs.get(Operations.LAST_CONTROLNET, ""), controlNets);
        String proposal = "canny|" + model + "|" + source.getTitle() + "|1|0|1";
        parameters.addString("Controls (type|ControlNet model|image title|scale|start|end; ...)", proposal, 60);
        parameters.addPicker("Control image of the first control:", WindowManager.getImageTitles(),
                source.getTitle(), ControlNetCommand::withFirstImage);
        parameters.addPicker("ControlNet of the first control:", controlNets.toArray(String[]::new), model,
                ControlNetCommand::withFirstModel);
        parameters.addBrowse(CommandParameters.Browse.FILE_OR_FOLDER, ControlNetCommand::withFirstModel);
        if (model.isEmpty()) {
            parameters.addMessage("No ControlNet found in the model folders (Settings...): browse for one.");
        }
        LivePreview.declare(parameters);
        if (!parameters.show()) {
            return null;
        }
        GenerationRequest base = RequestFields.read(title(), parameters);
        String controls = parameters.nextString();
        try (LivePreview preview = LivePreview.read(parameters)) {
            return operations.withControlNet(title(), source, base, controls, preview);
        }
    }

    /**
     * The ControlNet the dialog proposes: the last one used while the model folders still offer it
     * (or it is a path that exists), else the first the model folders offer; empty when there is none.
     */
    static String proposedModel(String last, List<String> offered) {
        if (!last.isBlank() && (offered.contains(last) || Files.exists(Path.of(last)))) {
            return last;
        }
        return offered.isEmpty() ? "" : offered.get(0);
    }

    /** The controls text with the first control's image replaced by {@code title}. */
    static String withFirstImage(String controls, String title) {
        return withFirstControlField(controls, 2, title);
    }

    /** The controls text with the first control's ControlNet replaced by {@code model}. */
    static String withFirstModel(String controls, String model) {
        return withFirstControlField(controls, 1, model);
    }

    private static String withFirstControlField(String controls, int index, String value) {
        String[] specs = controls.split(";", -1);
        String[] fields = specs[0].split("\\|", -1);
        if (fields.length <= index) {
            return controls;
        }
        fields[index] = value;
        specs[0] = String.join("|", fields);
        return String.join(";", specs);
    }
}
