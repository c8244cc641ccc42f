package org.diffij.plugin;

import ij.IJ;
import ij.Prefs;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.diffij.pipelines.Adapter;
import org.diffij.pipelines.GenerationRequest;
import org.diffij.pipelines.IpAdapterPrompt;
import org.diffij.pipelines.MacroOptions;
import org.diffij.schedulers.Samplers;

/**
 * The dialog fields every generation command shares, one per {@link GenerationRequest} macro key:
 * {@code model prompt negative sampler steps cfg seed width height batch adapters ip_adapter clip_skip
 * noise}. Each
 * label's first word is its key, so the Macro Recorder writes exactly the request's keys.
 */
public final class RequestFields {

    private static final String LAST_MODEL = DiffusionSettings.PREFIX + "last.model";

    private RequestFields() {
    }

    /** Declares the fields with the given width and height as the default size. */
    static void declare(CommandParameters parameters, int width, int height) {
        GenerationRequest defaults = GenerationRequest.of("-", "");
        parameters.addString("Model (folder, .safetensors file, or a name in the model folders)",
                Prefs.get(LAST_MODEL, ""), 40);
        parameters.addString("Prompt", "", 40);
        parameters.addString("Negative prompt", "", 40);
        parameters.addChoice("Sampler", Samplers.names().toArray(String[]::new), defaults.sampler());
        parameters.addNumber("Steps", defaults.steps(), 0);
        parameters.addNumber("CFG scale", defaults.cfgScale(), 1);
        parameters.addNumber("Seed (-1 = random)", 0, 0);
        parameters.addNumber("Width (pixels, multiple of 8)", width, 0);
        parameters.addNumber("Height (pixels, multiple of 8)", height, 0);
        parameters.addNumber("Batch size (images per run)", 1, 0);
        parameters.addString("Adapters (lora|name|weight, embedding|name|1; ...; empty = none)", "", 40);
        parameters.addString("Ip_adapter (IP-Adapter file|image window|scale; empty = none)", "", 40);
        parameters.addNumber("Clip_skip (1 = last text-encoder layer)", 1, 0);
        parameters.addChoice("Noise (cpu = diffusers/ComfyUI, gpu = A1111)", new String[] {"cpu", "gpu"}, "cpu");
    }

    /**
     * Reads the fields back in declaration order into a text-to-image request. Sizes that are not
     * multiples of 8 are rounded to the nearest one, with a message in the log; seed -1 draws a seed,
     * which the result records.
     */
    static GenerationRequest read(String title, CommandParameters parameters) {
        String model = parameters.nextString().strip();
        String prompt = parameters.nextString();
        String negative = parameters.nextString();
        String sampler = parameters.nextChoice();
        int steps = (int) parameters.nextNumber();
        double cfg = parameters.nextNumber();
        long seed = (long) parameters.nextNumber();
        double width = parameters.nextNumber();
        double height = parameters.nextNumber();
        int batch = (int) parameters.nextNumber();
        String adapters = parameters.nextString();
        String ipAdapter = parameters.nextString();
        int clipSkip = (int) parameters.nextNumber();
        String noise = parameters.nextChoice();
        return request(title, model, prompt, negative, sampler, steps, cfg, seed, width, height, batch, adapters,
                ipAdapter, clipSkip, noise);
    }

    /**
     * The text-to-image request of these values, as the menu commands and the SciJava commands make
     * it: sizes rounded to multiples of 8 (logged), seed -1 replaced by a drawn seed (logged and recorded).
     */
    public static GenerationRequest request(String title, String model, String prompt, String negative,
            String sampler, int steps, double cfg, long seed, double width, double height, int batch, String adapters,
            String ipAdapter, int clipSkip, String noise) {
        if (seed == -1) {
            seed = ThreadLocalRandom.current().nextLong(1L << 32);
            IJ.log(title + ": random seed " + seed);
        }
        if (!model.isEmpty()) {
            Prefs.set(LAST_MODEL, model);
        }
        return GenerationRequest.of(model, prompt).withNegativePrompt(negative).withSampling(sampler, steps, cfg)
                .withSeed(seed).withSize(roundedSize(title, "width", width), roundedSize(title, "height", height), batch)
                .withAdapters(adapters(adapters)).withImagePrompt(imagePrompt(ipAdapter)).withClipSkip(clipSkip, noise);
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

    /** The nearest multiple of 8 (at least 8), logging when it differs from what was asked. */
    static int roundedSize(String title, String name, double value) {
        int rounded = (int) Math.max(8, Math.round(value / 8) * 8);
        if (rounded != value) {
            IJ.log(title + ": " + name + " " + (long) value + " rounded to " + rounded
                    + " (the model works on multiples of 8; the image is resized, not cropped)");
        }
        return rounded;
    }
}
