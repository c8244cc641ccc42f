package org.diffij.schedulers;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.diffij.DiffijException;

/**
 * The diffusers scheduler classes Diffij implements, each with its constructor defaults (diffusers
 * 0.30.3). A model's {@code scheduler_config.json} may come from any class; {@link #resolve} applies
 * diffusers' {@code from_config} rules to read it as this class.
 */
public enum SchedulerType {
    DDIM("DDIMScheduler", DdimScheduler::new, Map.of(
            "clip_sample", true, "set_alpha_to_one", true, "thresholding", false, "clip_sample_range", 1.0,
            "timestep_spacing", "leading", "rescale_betas_zero_snr", false)),
    PNDM("PNDMScheduler", PndmScheduler::new, Map.of(
            "skip_prk_steps", false, "set_alpha_to_one", false, "timestep_spacing", "leading")),
    DDPM("DDPMScheduler", DdpmScheduler::new, Map.of(
            "variance_type", "fixed_small", "clip_sample", true, "thresholding", false, "clip_sample_range", 1.0,
            "timestep_spacing", "leading", "rescale_betas_zero_snr", false)),
    EULER("EulerDiscreteScheduler", EulerScheduler::new, Map.of(
            "interpolation_type", "linear", "use_karras_sigmas", false, "sigma_min", JsonNull.INSTANCE,
            "sigma_max", JsonNull.INSTANCE, "timestep_spacing", "linspace", "timestep_type", "discrete",
            "rescale_betas_zero_snr", false, "final_sigmas_type", "zero")),
    EULER_ANCESTRAL("EulerAncestralDiscreteScheduler", EulerAncestralScheduler::new, Map.of(
            "timestep_spacing", "linspace", "rescale_betas_zero_snr", false)),
    HEUN("HeunDiscreteScheduler", HeunScheduler::new, Map.of(
            "beta_start", 0.00085, "beta_end", 0.012, "use_karras_sigmas", false, "clip_sample", false,
            "clip_sample_range", 1.0, "timestep_spacing", "linspace")),
    LMS("LMSDiscreteScheduler", LmsScheduler::new, Map.of(
            "use_karras_sigmas", false, "timestep_spacing", "linspace")),
    DPM_SOLVER_MULTISTEP("DPMSolverMultistepScheduler", DpmSolverMultistepScheduler::new, Map.ofEntries(
            Map.entry("solver_order", 2), Map.entry("thresholding", false),
            Map.entry("algorithm_type", "dpmsolver++"), Map.entry("solver_type", "midpoint"),
            Map.entry("lower_order_final", true), Map.entry("euler_at_final", false),
            Map.entry("use_karras_sigmas", false), Map.entry("use_lu_lambdas", false),
            Map.entry("final_sigmas_type", "zero"), Map.entry("lambda_min_clipped", Double.NEGATIVE_INFINITY),
            Map.entry("variance_type", JsonNull.INSTANCE), Map.entry("timestep_spacing", "linspace"),
            Map.entry("rescale_betas_zero_snr", false))),
    UNIPC("UniPCMultistepScheduler", UniPcScheduler::new, Map.ofEntries(
            Map.entry("solver_order", 2), Map.entry("thresholding", false), Map.entry("predict_x0", true),
            Map.entry("solver_type", "bh2"), Map.entry("lower_order_final", true),
            Map.entry("disable_corrector", new JsonArray()), Map.entry("solver_p", JsonNull.INSTANCE),
            Map.entry("use_karras_sigmas", false), Map.entry("timestep_spacing", "linspace"),
            Map.entry("final_sigmas_type", "zero"), Map.entry("rescale_betas_zero_snr", false)));

    /** Constructor defaults every class shares (a holder: enum constants are built before static fields). */
    private static final class Common {
        static final Map<String, Object> DEFAULTS = Map.of(
                "num_train_timesteps", 1000, "beta_start", 0.0001, "beta_end", 0.02, "beta_schedule", "linear",
                "trained_betas", JsonNull.INSTANCE, "prediction_type", "epsilon", "steps_offset", 0);
    }

    private final String className;
    private final Function<ConfigJson, Scheduler> factory;
    private final JsonObject defaults;

    SchedulerType(String className, Function<ConfigJson, Scheduler> factory, Map<String, Object> specific) {
        this.className = className;
        this.factory = factory;
        this.defaults = new JsonObject();
        Common.DEFAULTS.forEach((key, value) -> defaults.add(key, json(value)));
        specific.forEach((key, value) -> defaults.add(key, json(value)));
    }

    private static JsonElement json(Object value) {
        if (value instanceof JsonElement element) {
            return element;
        }
        if (value instanceof Boolean b) {
            return new JsonPrimitive(b);
        }
        if (value instanceof Number n) {
            return new JsonPrimitive(n);
        }
        return new JsonPrimitive((String) value);
    }

    /** The diffusers class name, e.g. {@code EulerDiscreteScheduler}. */
    public String className() {
        return className;
    }

    /** The type of a diffusers class name. */
    public static SchedulerType forClassName(String name) {
        for (SchedulerType type : values()) {
            if (type.className.equals(name)) {
                return type;
            }
        }
        throw new DiffijException("unknown scheduler class '" + name + "'; supported: "
                + Arrays.stream(values()).map(SchedulerType::className).collect(Collectors.joining(", ")));
    }

    /**
     * A scheduler of this class from any class's config, as {@code from_config(config, **overrides)}:
     * keys the saved config marked as defaulted ({@code _use_default_values}) and keys this class does
     * not have are dropped, missing keys take this class's defaults, overrides win.
     */
    public Scheduler create(JsonObject config, JsonObject overrides) {
        return factory.apply(new ConfigJson(resolve(config, overrides)));
    }

    public Scheduler create(JsonObject config) {
        return create(config, new JsonObject());
    }

    /** The full config this class would run with. */
    public JsonObject resolve(JsonObject config, JsonObject overrides) {
        Set<String> defaulted = new HashSet<>();
        JsonElement marked = config.get("_use_default_values");
        if (marked != null && marked.isJsonArray()) {
            marked.getAsJsonArray().forEach(e -> defaulted.add(e.getAsString()));
        }
        JsonObject resolved = defaults.deepCopy();
        for (String key : defaults.keySet()) {
            if (config.has(key) && !defaulted.contains(key)) {
                resolved.add(key, config.get(key));
            }
            if (overrides.has(key)) {
                resolved.add(key, overrides.get(key));
            }
        }
        for (String key : overrides.keySet()) {
            if (!defaults.has(key)) {
                throw new IllegalArgumentException(className + " has no config key '" + key + "'");
            }
        }
        return resolved;
    }
}
