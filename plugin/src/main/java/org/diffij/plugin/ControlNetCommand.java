package org.diffij.plugin;

import ij.ImagePlus;
import ij.Prefs;
import ij.WindowManager;
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
        String proposal = "canny|" + Prefs.get(Operations.LAST_CONTROLNET, "controlnet-folder") + "|"
                + source.getTitle() + "|1|0|1";
        parameters.addString("Controls (type|ControlNet model|image title|scale|start|end; ...)", proposal, 60);
        parameters.addPicker("Control image of the first control:", WindowManager.getImageTitles(),
                source.getTitle(), ControlNetCommand::withFirstImage);
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

    /** The controls text with the first control's image replaced by {@code title}. */
    static String withFirstImage(String controls, String title) {
        String[] specs = controls.split(";", -1);
        String[] fields = specs[0].split("\\|", -1);
        if (fields.length < 3) {
            return controls;
        }
        fields[2] = title;
        specs[0] = String.join("|", fields);
        return String.join(";", specs);
    }
}
