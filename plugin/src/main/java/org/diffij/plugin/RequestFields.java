package org.diffij.plugin;

import ij.IJ;
import ij.Prefs;
import java.util.List;
import java.util.Map;
import org.diffij.hub.BuiltInModels;
import org.diffij.pipelines.Adapter;
import org.diffij.pipelines.GenerationRequest;
import org.diffij.pipelines.IpAdapterPrompt;
import org.diffij.pipelines.MacroOptions;
import org.diffij.schedulers.Samplers;

/**
 * The dialog fields every generation command shares, one per {@link GenerationRequest} macro key:
 * {@code model vae prompt negative sampler steps cfg seed width height batch adapters ip_adapter clip_skip
 * noise}. Each
 * label's first word is its key, so the Macro Recorder writes exactly the request's keys.
 */
public final class RequestFields {

    static final String LAST_MODEL = DiffusionSettings.PREFIX + "last.model";
    /** The size that asks for the model's own ({@link org.diffij.pipelines.Generator#nativeSide}). */
    public static final int MODEL_SIZE = 0;

    private RequestFields() {
    }

    /**
     * Declares the fields with the given width and height as the default size ({@value #MODEL_SIZE}:
     * the model's own, e.g. 64 for {@code demo}, 1024 for SDXL).
     */
    static void declare(CommandParameters parameters, int width, int height) {
        GenerationRequest defaults = GenerationRequest.of("-", "");
        parameters.addString("Model (folder, .safetensors file, a name in the model folders, or demo)",
                Prefs.get(LAST_MODEL, BuiltInModels.DEMO), 40);
        parameters.addBrowse(CommandParameters.Browse.FILE_OR_FOLDER, (text, path) -> path);
        parameters.addString("VAE (file, folder, name in the model folders' VAE dirs, or hub repo; empty = the "
                + "model's own)", "", 40);
        parameters.addBrowse(CommandParameters.Browse.FILE_OR_FOLDER, (text, path) -> path);
        ModelChoices choices = parameters.isSeen() ? ModelChoices.in(DiffusionSettings.load().modelFolders()) : null;
        if (choices != null) {
            parameters.addPicker("VAE from the model folders:", choices.vaes().toArray(String[]::new), null,
                    (text, name) -> name);
        }
        parameters.addString("Prompt", "", 40);
        parameters.addString("Negative prompt", "", 40);
        parameters.addChoice("Sampler", Samplers.names().toArray(String[]::new), defaults.sampler());
        parameters.addNumber("Steps", defaults.steps(), 0);
        parameters.addNumber("CFG scale", defaults.cfgScale(), 1);
        parameters.addNumber("Seed (-1 = random)", 0, 0);
        parameters.addNumber("Width (pixels, multiple of 8; 0 = the model's own)", width, 0);
        parameters.addNumber("Height (pixels, multiple of 8; 0 = the model's own)", height, 0);
        parameters.addNumber("Batch size (images per run)", 1, 0);
        parameters.addString("Adapters (lora|name|weight, embedding|name|1; ...; empty = none)", "", 40);
        if (choices != null) {
            parameters.addPicker("LoRA from the model folders:", choices.loras().toArray(String[]::new), null,
                    (text, name) -> withAdapter(text, Adapter.Kind.LORA, name));
            parameters.addPicker("Embedding from the model folders:", choices.embeddings().toArray(String[]::new),
                    null, (text, name) -> withAdapter(text, Adapter.Kind.EMBEDDING, name));
        }
        parameters.addString("Ip_adapter (IP-Adapter file|image window|scale; empty = none)", "", 40);
        parameters.addNumber("Clip_skip (1 = last text-encoder layer)", 1, 0);
        parameters.addChoice("Noise (cpu = diffusers/ComfyUI, gpu = A1111)", new String[] {"cpu", "gpu"}, "cpu");
    }

    /** The adapters text with {@code kind|name|1} appended (the weight is edited in the field). */
    static String withAdapter(String adapters, Adapter.Kind kind, String name) {
        String added = kind.tag() + "|" + name + "|1";
        String text = adapters.strip();
        return text.isEmpty() ? added : text + (text.endsWith(";") ? "" : ";") + added;
    }

    /**
     * Remembers the model of a run that worked as the dialogs' next default; a failed run (a
     * mistyped model) leaves the last working one.
     */
    static void rememberModel(String model) {
        if (!model.isBlank()) {
            Prefs.set(LAST_MODEL, model);
        }
    }

    /** Reads the fields back in declaration order into a text-to-image request ({@link #request}). */
    static GenerationRequest read(String title, CommandParameters parameters) {
        String model = parameters.nextString().strip();
        String vae = parameters.nextString().strip();
        String prompt = parameters.nextString();
        String negative = parameters.nextString();
        String sampler = parameters.nextChoice();
        int steps = (int) parameters.nextNumber();
        double cfg = parameters.nextNumber();
        long seed = (long) parameters.nextNumber();
        int width = (int) Math.round(parameters.nextNumber());
        int height = (int) Math.round(parameters.nextNumber());
        int batch = (int) parameters.nextNumber();
        String adapters = parameters.nextString();
        String ipAdapter = parameters.nextString();
        int clipSkip = (int) parameters.nextNumber();
        String noise = parameters.nextChoice();
        return request(title, model, vae, prompt, negative, sampler, steps, cfg, seed, width, height, batch,
                adapters, ipAdapter, clipSkip, noise);
    }

    /**
     * The text-to-image request of these values, as the menu commands and the SciJava commands make
     * it; what the request made of the seed and sizes ({@link GenerationRequest#notes}: seed -1
     * draws one, sizes are rounded to multiples of 8) goes to the Log. A side of {@value #MODEL_SIZE}
     * is the model's own (diffusers' default: the UNet's sample size times the VAE's downscaling). An
     * empty {@code vae} keeps the model's own VAE.
     */
    public static GenerationRequest request(String title, String model, String vae, String prompt, String negative,
            String sampler, int steps, double cfg, long seed, int width, int height, int batch, String adapters,
            String ipAdapter, int clipSkip, String noise) {
        if (width == MODEL_SIZE || height == MODEL_SIZE) {
            int side = DiffusionSettings.load().generator().nativeSide(model);
            width = width == MODEL_SIZE ? side : width;
            height = height == MODEL_SIZE ? side : height;
        }
        GenerationRequest request = GenerationRequest.of(model, prompt).withNegativePrompt(negative)
                .withSampling(sampler, steps, cfg).withSeed(seed).withSize(width, height, batch)
                .withAdapters(adapters(adapters)).withImagePrompt(imagePrompt(ipAdapter)).withClipSkip(clipSkip, noise)
                .withVae(vae == null ? "" : vae.strip());
        request.notes(seed, width, height).forEach(note -> IJ.log(title + ": " + note));
        return request;
    }

    /** The adapters of the {@code adapters} key ({@code kind|name|weight; ...}), as {@link GenerationRequest} reads them. */
    static List<Adapter> adapters(String text) {
        if (text == null || text.isBlank()) {
            return List.of();
        }
        return GenerationRequest.fromMacroOptions(MacroOptions.format(Map.of("model", "-", "adapters", text.strip())))
                .adapters();
    }

    /** The image prompt of the {@code ip_adapter} key ({@code file|image|scale}), or null when it is empty. */
    static IpAdapterPrompt imagePrompt(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        return GenerationRequest.fromMacroOptions(MacroOptions.format(Map.of("model", "-", "ip_adapter", text.strip())))
                .imagePrompt();
    }
}
