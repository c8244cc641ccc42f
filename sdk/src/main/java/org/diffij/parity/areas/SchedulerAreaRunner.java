package org.diffij.parity.areas;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.diffij.DiffijException;
import org.diffij.io.HostTensor;
import org.diffij.noise.RecordedNoise;
import org.diffij.parity.AreaRunner;
import org.diffij.parity.GoldenCase;
import org.diffij.schedulers.Scheduler;
import org.diffij.schedulers.SchedulerType;

/**
 * The golden {@code scheduler} area: schedule tables for several step counts, ten-step trajectories
 * with the model replaced by {@code 0.1 * input + C} (recorded noise for stochastic steps), and img2img
 * strength schedules with {@code add_noise}. Which steps and strengths to run is read from the case's
 * output names.
 */
public final class SchedulerAreaRunner implements AreaRunner {

    private static final Pattern TABLE = Pattern.compile("timesteps_(\\d+)");
    private static final Pattern STRENGTH = Pattern.compile("timesteps_(\\d+)_(\\d+)p(\\d+)");

    @Override
    public String area() {
        return "scheduler";
    }

    @Override
    public Map<String, HostTensor> run(GoldenCase golden) {
        JsonObject params = golden.params();
        SchedulerType type = SchedulerType.forClassName(params.get("class").getAsString());
        JsonObject config = params.getAsJsonObject("config");
        if (golden.id().endsWith("_tables")) {
            return tables(type, config, golden);
        }
        if (golden.id().endsWith("_img2img_strength")) {
            return img2img(type, config, golden);
        }
        if (golden.id().endsWith("_trajectory10")) {
            return trajectory(type.create(config), params, golden);
        }
        throw new DiffijException("scheduler case " + golden.id() + " is of no known kind");
    }

    private static Map<String, HostTensor> tables(SchedulerType type, JsonObject config, GoldenCase golden) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (String name : golden.outputNames()) {
            Matcher m = TABLE.matcher(name);
            if (!m.matches()) {
                continue;
            }
            String steps = m.group(1);
            Scheduler scheduler = type.create(config);
            scheduler.setTimesteps(Integer.parseInt(steps));
            out.put(name, floats(scheduler.timesteps()));
            out.put("init_noise_sigma_" + steps, HostTensor.ofFloats(new float[] {(float) scheduler.initNoiseSigma()}, 1));
            if (golden.outputNames().contains("sigmas_" + steps)) {
                float[] sigmas = scheduler.sigmas();
                out.put("sigmas_" + steps, HostTensor.ofFloats(sigmas, sigmas.length));
            }
        }
        return out;
    }

    private static Map<String, HostTensor> img2img(SchedulerType type, JsonObject config, GoldenCase golden) {
        HostTensor original = golden.input("original");
        HostTensor noise = golden.input("noise");
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (String name : golden.outputNames()) {
            Matcher m = STRENGTH.matcher(name);
            if (!m.matches()) {
                continue;
            }
            int steps = Integer.parseInt(m.group(1));
            double strength = Double.parseDouble(m.group(2) + "." + m.group(3));
            Scheduler scheduler = type.create(config);
            scheduler.setTimesteps(steps, strength);
            out.put(name, floats(scheduler.timesteps()));
            out.put("add_noise_" + m.group(1) + "_" + m.group(2) + "p" + m.group(3),
                    scheduler.addNoise(original, noise));
        }
        return out;
    }

    private static Map<String, HostTensor> trajectory(Scheduler scheduler, JsonObject params, GoldenCase golden) {
        List<HostTensor> draws = new ArrayList<>();
        if (params.has("noise_draws")) {
            for (JsonElement draw : params.getAsJsonArray("noise_draws")) {
                draws.add(golden.input(draw.getAsJsonObject().get("name").getAsString()));
            }
        }
        RecordedNoise noise = new RecordedNoise(draws);
        scheduler.setTimesteps(params.get("num_inference_steps").getAsInt());
        HostTensor initial = golden.input("initial_noise");
        float[] c = golden.input("C").toFloatArray();
        float sigma = (float) scheduler.initNoiseSigma();
        float[] start = initial.toFloatArray();
        for (int i = 0; i < start.length; i++) {
            start[i] *= sigma;
        }
        long[] shape = initial.shape();
        Map<String, HostTensor> out = new LinkedHashMap<>();
        out.put("timesteps", floats(scheduler.timesteps()));
        HostTensor x = HostTensor.ofFloats(start, shape);
        out.put("start_sample", x);
        for (int step = 0; !scheduler.finished(); step++) {
            HostTensor input = scheduler.scaleModelInput(x);
            float[] modelInput = input.toFloatArray();
            float[] prediction = new float[modelInput.length];
            for (int i = 0; i < prediction.length; i++) {
                prediction[i] = 0.1f * modelInput[i] + c[i];
            }
            x = scheduler.step(HostTensor.ofFloats(prediction, shape), x, noise);
            out.put(String.format("model_input_%02d", step), input);
            out.put(String.format("prev_sample_%02d", step), x);
        }
        if (noise.remaining() > 0) {
            throw new DiffijException(noise.remaining() + " recorded noise draws were not used");
        }
        return out;
    }

    private static HostTensor floats(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return HostTensor.ofFloats(out, out.length);
    }
}
