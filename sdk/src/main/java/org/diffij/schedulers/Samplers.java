package org.diffij.schedulers;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.diffij.DiffijException;

/**
 * The one table of sampler names: A1111's names (with the diffusers scheduler and config overrides
 * that reproduce them, after diffusers' documented mapping) and the diffusers class names (the
 * model's config as it is). Names match case-insensitively.
 */
public final class Samplers {

    /** A name's scheduler class and the config keys it sets. */
    public record Sampler(String name, SchedulerType type, JsonObject overrides) {

        /** The scheduler for a model's {@code scheduler_config.json}. */
        public Scheduler create(JsonObject modelConfig) {
            return type.create(modelConfig, overrides);
        }
    }

    private static final Map<String, Sampler> TABLE = new LinkedHashMap<>();

    static {
        a1111("Euler a", SchedulerType.EULER_ANCESTRAL);
        a1111("Euler", SchedulerType.EULER);
        a1111("Heun", SchedulerType.HEUN);
        a1111("LMS", SchedulerType.LMS, "use_karras_sigmas", false);
        a1111("LMS Karras", SchedulerType.LMS, "use_karras_sigmas", true);
        a1111("DPM++ 2M", SchedulerType.DPM_SOLVER_MULTISTEP, "algorithm_type", "dpmsolver++", "solver_order", 2,
                "use_karras_sigmas", false);
        a1111("DPM++ 2M Karras", SchedulerType.DPM_SOLVER_MULTISTEP, "algorithm_type", "dpmsolver++",
                "solver_order", 2, "use_karras_sigmas", true);
        a1111("DPM++ 2M SDE", SchedulerType.DPM_SOLVER_MULTISTEP, "algorithm_type", "sde-dpmsolver++",
                "solver_order", 2, "use_karras_sigmas", false);
        a1111("DPM++ 2M SDE Karras", SchedulerType.DPM_SOLVER_MULTISTEP, "algorithm_type", "sde-dpmsolver++",
                "solver_order", 2, "use_karras_sigmas", true);
        a1111("DDIM", SchedulerType.DDIM);
        a1111("PLMS", SchedulerType.PNDM, "skip_prk_steps", true);
        a1111("UniPC", SchedulerType.UNIPC);
        a1111("DDPM", SchedulerType.DDPM);
        for (SchedulerType type : SchedulerType.values()) {
            TABLE.put(type.className().toLowerCase(Locale.ROOT), new Sampler(type.className(), type, new JsonObject()));
        }
    }

    private Samplers() {
    }

    private static void a1111(String name, SchedulerType type, Object... keyValues) {
        JsonObject overrides = new JsonObject();
        for (int i = 0; i < keyValues.length; i += 2) {
            String key = (String) keyValues[i];
            Object value = keyValues[i + 1];
            if (value instanceof Boolean b) {
                overrides.addProperty(key, b);
            } else if (value instanceof Number n) {
                overrides.addProperty(key, n);
            } else {
                overrides.addProperty(key, (String) value);
            }
        }
        TABLE.put(name.toLowerCase(Locale.ROOT), new Sampler(name, type, overrides));
    }

    /** Every valid name, A1111 names first. */
    public static List<String> names() {
        List<String> names = new ArrayList<>();
        TABLE.values().forEach(s -> names.add(s.name()));
        return names;
    }

    /** The sampler of a name, or an error listing the valid names. */
    public static Sampler lookup(String name) {
        Sampler sampler = name == null ? null : TABLE.get(name.trim().toLowerCase(Locale.ROOT));
        if (sampler == null) {
            throw new DiffijException("unknown sampler '" + name + "'; valid names: " + String.join(", ", names()));
        }
        return sampler;
    }

    /**
     * A1111's name for a sampler: the canonical spelling of an A1111 name, or for a diffusers class
     * name the A1111 sampler of the same scheduler kind (the nearest A1111 reads).
     */
    public static String a1111Name(String name) {
        Sampler sampler = lookup(name);
        if (isA1111(sampler)) {
            return sampler.name();
        }
        return TABLE.values().stream().filter(c -> c.type() == sampler.type() && isA1111(c)).findFirst()
                .map(Sampler::name).orElse(sampler.name());
    }

    /** Whether the name is one of A1111's (not a diffusers class name). */
    public static boolean isA1111(String name) {
        return isA1111(lookup(name));
    }

    private static boolean isA1111(Sampler sampler) {
        return !sampler.name().equals(sampler.type().className());
    }

    /** The scheduler a name selects, configured from a model's {@code scheduler_config.json}. */
    public static Scheduler create(String name, JsonObject modelConfig) {
        return lookup(name).create(modelConfig);
    }
}
