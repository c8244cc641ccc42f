package org.diffij.schedulers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.diffij.DiffijException;
import org.junit.jupiter.api.Test;

class SamplersTest {

    /** The SD 1.5 scheduler config as the model hub ships it (diffusers 0.6.0, no timestep_spacing). */
    static JsonObject sd15Config() {
        return JsonParser.parseString("""
                {"_class_name": "PNDMScheduler", "_diffusers_version": "0.6.0", "beta_end": 0.012,
                 "beta_schedule": "scaled_linear", "beta_start": 0.00085, "num_train_timesteps": 1000,
                 "set_alpha_to_one": false, "skip_prk_steps": true, "steps_offset": 1, "trained_betas": null,
                 "clip_sample": false}""").getAsJsonObject();
    }

    @Test
    void everyA1111NameAndClassNameCreatesAWorkingScheduler() {
        for (String name : Samplers.names()) {
            Scheduler scheduler = Samplers.create(name, sd15Config());
            scheduler.setTimesteps(5);
            assertTrue(scheduler.timesteps().length >= 5, name);
        }
        assertTrue(Samplers.names().containsAll(java.util.List.of("Euler a", "DPM++ 2M Karras", "DPM++ 2M", "Euler",
                "Heun", "LMS", "DDIM", "PLMS", "UniPC", "DDPM", "EulerAncestralDiscreteScheduler", "DDIMScheduler")));
    }

    @Test
    void namesMapToTheirSchedulerAndOptions() {
        assertInstanceOf(EulerAncestralScheduler.class, Samplers.create("euler A", sd15Config()));
        Scheduler karras = Samplers.create("DPM++ 2M Karras", sd15Config());
        assertTrue(karras.config().useKarrasSigmas());
        assertFalse(Samplers.create("DPM++ 2M", sd15Config()).config().useKarrasSigmas());
        assertEquals("sde-dpmsolver++", Samplers.create("DPM++ 2M SDE", sd15Config()).resolvedConfig()
                .get("algorithm_type").getAsString());
        assertEquals(SchedulerType.PNDM, Samplers.create("PLMS", sd15Config()).type());
        assertEquals(SchedulerType.UNIPC, Samplers.create("UniPCMultistepScheduler", sd15Config()).type());
    }

    @Test
    void unknownNamesAreRejectedWithTheListOfValidNames() {
        DiffijException error = assertThrows(DiffijException.class, () -> Samplers.create("Euler b", sd15Config()));
        assertTrue(error.getMessage().startsWith("unknown sampler 'Euler b'; valid names: Euler a, Euler,"),
                error.getMessage());
        assertTrue(error.getMessage().contains("DPM++ 2M Karras"));
        assertFalse(error.getMessage().contains("\n"));
        assertThrows(DiffijException.class, () -> Samplers.create(null, sd15Config()));
    }

    @Test
    void fromConfigTakesTheTargetClassDefaultsForMissingAndDefaultedKeys() {
        JsonObject config = sd15Config();
        Scheduler euler = Samplers.create("Euler", config);
        assertEquals(TimestepSpacing.LINSPACE, euler.config().timestepSpacing());
        Scheduler ddim = Samplers.create("DDIM", config);
        assertEquals(TimestepSpacing.LEADING, ddim.config().timestepSpacing());
        assertFalse(ddim.config().setAlphaToOne(), "the model's set_alpha_to_one=false wins over DDIM's default");
        assertEquals(1, ddim.config().stepsOffset());
        config.addProperty("prediction_type", "v_prediction");
        com.google.gson.JsonArray defaulted = new com.google.gson.JsonArray();
        defaulted.add("prediction_type");
        config.add("_use_default_values", defaulted);
        assertEquals(PredictionType.EPSILON, Samplers.create("Euler", config).config().predictionType());
    }
}
