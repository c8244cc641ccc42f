package org.diffij.plugin.scijava;

import ij.ImagePlus;
import org.diffij.pipelines.GenerationRequest;
import org.diffij.plugin.RequestFields;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;

/**
 * The parameters every SciJava generation command shares, named like the macro keys of
 * {@link GenerationRequest} (in Java style: {@code clipSkip}); none persists between runs.
 */
abstract class RequestCommand implements Command {

    @Parameter
    DiffusionService diffusion;

    @Parameter(label = "Model (folder, .safetensors file, or a name in the model folders)", persist = false)
    String model;

    @Parameter(label = "VAE (file, folder, name in the model folders or hub repo; empty = the model's own)",
            required = false, persist = false)
    String vae = "";

    @Parameter(label = "Prompt", persist = false)
    String prompt = "";

    @Parameter(label = "Negative prompt", required = false, persist = false)
    String negative = "";

    @Parameter(label = "Sampler", required = false, persist = false)
    String sampler = "DPM++ 2M Karras";

    @Parameter(label = "Steps", required = false, persist = false)
    int steps = 25;

    @Parameter(label = "CFG scale", required = false, persist = false)
    double cfg = 7;

    @Parameter(label = "Seed", required = false, persist = false)
    long seed;

    @Parameter(label = "Width (0 = the model's own)", required = false, persist = false)
    int width = RequestFields.MODEL_SIZE;

    @Parameter(label = "Height (0 = the model's own)", required = false, persist = false)
    int height = RequestFields.MODEL_SIZE;

    @Parameter(label = "Batch size", required = false, persist = false)
    int batch = 1;

    @Parameter(label = "Adapters (lora|name|weight; ...)", required = false, persist = false)
    String adapters = "";

    @Parameter(label = "IP-Adapter (file|image|scale)", required = false, persist = false)
    String ipAdapter = "";

    @Parameter(label = "Clip skip", required = false, persist = false)
    int clipSkip = 1;

    @Parameter(label = "Noise (cpu or gpu)", required = false, persist = false)
    String noise = "cpu";

    @Parameter(type = ItemIO.OUTPUT)
    ImagePlus image;

    /** The text-to-image request of these parameters; sizes are rounded to multiples of 8 like the menu commands. */
    GenerationRequest request(String title) {
        return RequestFields.request(title, model, vae, prompt, negative, sampler, steps, cfg, seed,
                width, height, batch, adapters, ipAdapter, clipSkip, noise);
    }
}
