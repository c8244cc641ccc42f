package org.diffij.parity.areas;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diffij.DiffijException;
import org.diffij.engine.DiffijEngine;
import org.diffij.image.RgbImage;
import org.diffij.io.HostTensor;
import org.diffij.models.controlnet.ControlNetModel;
import org.diffij.models.clip.ClipVisionModelWithProjection;
import org.diffij.models.ipadapter.ImagePrompt;
import org.diffij.models.ipadapter.IpAdapter;
import org.diffij.noise.RecordedNoise;
import org.diffij.parity.AreaRunner;
import org.diffij.parity.GoldenCase;
import org.diffij.pipelines.Adapter;
import org.diffij.pipelines.Adapters;
import org.diffij.pipelines.MemorySettings;
import org.diffij.pipelines.StableDiffusionModel;
import org.diffij.pipelines.StableDiffusionPipeline;
import org.diffij.schedulers.Samplers;

/**
 * Golden area {@code pipeline}: whole generations (8 steps, guidance 7.5) with the case's explicit
 * latents and recorded noise draws (ControlNet and IP-Adapter cases included), compared on the final
 * latents, every step's latents and the image.
 */
public final class PipelineAreaRunner implements AreaRunner {

    /** Where the h94/IP-Adapter layout keeps the SD1.5 adapter. */
    private static final String IP_ADAPTER_FILE = "models/ip-adapter_sd15.safetensors";

    @Override
    public String area() {
        return "pipeline";
    }

    @Override
    public Map<String, HostTensor> run(GoldenCase golden) {
        JsonObject p = golden.params();
        String[] models = golden.model().split("\\+");
        Path base = golden.manifest().modelPath(models[0]);
        Path controlNet = null;
        Path ipAdapter = null;
        for (int i = 1; i < models.length; i++) {
            if (models[i].contains("controlnet")) {
                controlNet = golden.manifest().modelPath(models[i]);
            } else if (models[i].contains("ip-adapter")) {
                ipAdapter = golden.manifest().modelPath(models[i]).resolve(IP_ADAPTER_FILE);
            } else {
                throw new DiffijException("case " + golden.id() + " needs " + models[i]
                        + ", which is neither a ControlNet nor an IP-Adapter");
            }
        }
        List<HostTensor> draws = new ArrayList<>();
        for (JsonElement draw : p.getAsJsonArray("noise_draws")) {
            draws.add(golden.input(draw.getAsJsonObject().get("name").getAsString()));
        }
        int width = p.get("width").getAsInt();
        int height = p.get("height").getAsInt();
        HostTensor latents = golden.inputNames().contains("latents") ? golden.input("latents") : null;
        RgbImage init = golden.inputNames().contains("init_image_u8") ? rgb(golden.input("init_image_u8")) : null;
        float[] mask = golden.inputNames().contains("mask_u8") ? unit(golden.input("mask_u8")) : null;
        RgbImage control = golden.inputNames().contains("control_image_u8") ? rgb(golden.input("control_image_u8"))
                : null;
        double strength = p.has("strength") ? p.get("strength").getAsDouble() : 1.0;
        float controlScale = p.has("controlnet_conditioning_scale")
                ? p.get("controlnet_conditioning_scale").getAsFloat() : 1f;
        RgbImage ipImage = golden.inputNames().contains("ip_adapter_image_u8")
                ? rgb(golden.input("ip_adapter_image_u8")) : null;
        float ipScale = p.has("ip_adapter_scale") ? p.get("ip_adapter_scale").getAsFloat() : 1f;
        Path controlNetFolder = controlNet;
        Path ipAdapterFile = ipAdapter;
        return DiffijEngine.get().queue().run("pipeline parity " + golden.id(), job -> {
            StableDiffusionModel model = StableDiffusionModel.load(base, job.manager(), job.engine().computeType());
            List<StableDiffusionPipeline.ControlInput> controls = new ArrayList<>();
            if (controlNetFolder != null) {
                ControlNetModel net = ControlNetModel.load(controlNetFolder, job.manager(), job.engine().computeType());
                controls.add(new StableDiffusionPipeline.ControlInput(net, control, controlScale, 0, 1));
            }
            ImagePrompt imagePrompt = null;
            if (ipAdapterFile != null) {
                imagePrompt = new ImagePrompt(IpAdapter.load(ipAdapterFile, job.manager(), job.engine().computeType()),
                        ClipVisionModelWithProjection.load(IpAdapter.imageEncoderFolder(ipAdapterFile), job.manager(),
                                job.engine().computeType()), ipImage, ipScale);
            }
            int steps = p.get("num_inference_steps").getAsInt();
            StableDiffusionPipeline.Inputs inputs = new StableDiffusionPipeline.Inputs(
                    StableDiffusionPipeline.parse(strings(p, "prompts"), steps),
                    StableDiffusionPipeline.parse(strings(p, "negative_prompts"), steps), width, height, steps,
                    p.get("guidance_scale").getAsDouble(),
                    Samplers.create(p.get("scheduler_class").getAsString(), p.getAsJsonObject("scheduler_config")),
                    new RecordedNoise(draws), 0, latents, init, mask, strength, controls, Adapters.none(),
                    imagePrompt);
            StableDiffusionPipeline.Output output = StableDiffusionPipeline.run(job, model, inputs,
                    MemorySettings.fromEnvironment(), null);
            Map<String, HostTensor> out = new LinkedHashMap<>();
            out.put("final_latents", output.finalLatents());
            out.put("image", nhwc(output.images()));
            for (int i = 0; i < output.stepLatents().size(); i++) {
                String name = String.format("step_latents_%02d", i);
                if (golden.outputNames().contains(name)) {
                    out.put(name, output.stepLatents().get(i));
                }
            }
            return out;
        });
    }

    private static List<String> strings(JsonObject params, String key) {
        List<String> values = new ArrayList<>();
        params.getAsJsonArray(key).forEach(e -> values.add(e.getAsString()));
        return values;
    }

    private static RgbImage rgb(HostTensor u8) {
        long[] s = u8.shape();
        long[] values = u8.toLongArray();
        float[] rgb = new float[values.length];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = values[i] / 255f;
        }
        return new RgbImage((int) s[1], (int) s[0], rgb);
    }

    private static float[] unit(HostTensor u8) {
        long[] values = u8.toLongArray();
        float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = values[i] / 255f;
        }
        return out;
    }

    private static HostTensor nhwc(List<RgbImage> images) {
        RgbImage first = images.get(0);
        int size = first.rgb().length;
        float[] all = new float[size * images.size()];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(images.get(i).rgb(), 0, all, i * size, size);
        }
        return HostTensor.ofFloats(all, images.size(), first.height(), first.width(), 3);
    }
}
