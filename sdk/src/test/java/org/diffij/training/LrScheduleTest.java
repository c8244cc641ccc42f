package org.diffij.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.diffij.DiffijException;
import org.diffij.parity.Golden;
import org.diffij.parity.GoldenCase;
import org.junit.jupiter.api.Test;

class LrScheduleTest {

    /** Every get_scheduler kind against diffusers' float64 tables (the case's F32 tensors are rounded). */
    @Test
    void diffusersSchedulesMatchTheFloat64Tables() {
        GoldenCase golden = Golden.golden("training/lr_schedules");
        JsonObject p = golden.params();
        JsonObject tables = p.getAsJsonObject("lr_tables_float64");
        double base = p.get("base_lr").getAsDouble();
        assertEquals(6, tables.size());
        for (String name : tables.keySet()) {
            LrSchedule.Diffusers.Kind kind = LrSchedule.Diffusers.Kind.of(name);
            double cycles = kind == LrSchedule.Diffusers.Kind.COSINE_WITH_RESTARTS
                    ? p.get("cosine_with_restarts_num_cycles").getAsDouble() : 7;
            LrSchedule schedule = LrSchedule.parse(name, base, p.get("num_warmup_steps").getAsInt(),
                    p.get("num_training_steps").getAsInt(), cycles, p.get("polynomial_power").getAsDouble());
            JsonArray table = tables.getAsJsonArray(name);
            for (int s = 0; s < table.size(); s++) {
                double expected = table.get(s).getAsDouble();
                assertEquals(expected, schedule.lr(base, s), 1e-15 * base, name + " step " + s);
            }
        }
    }

    @Test
    void steppedRatesHoldUntilTheirStepAndTheLastHolds() {
        LrSchedule.Stepped stepped = LrSchedule.Stepped.parse("5e-5:100, 5e-6:1500", 0);
        assertEquals(5e-5, stepped.rate(0));
        assertEquals(5e-5, stepped.rate(99));
        assertEquals(5e-6, stepped.rate(100));
        assertEquals(5e-6, stepped.rate(5000));
        assertEquals(0.1, stepped.factor(100), 1e-15);
        LrSchedule open = LrSchedule.parse("1e-3:10, 1e-4", 1e-3, 0, 100, 1, 1);
        assertEquals(1e-4, open.lr(1e-3, 50), 1e-18);
        assertEquals(1.0, LrSchedule.parse("2e-4", 2e-4, 0, 100, 1, 1).factor(77));
        for (String bad : new String[] {"5e-5:100, 5e-6:50", "abc:1", "1e-4, 1e-5:100", ""}) {
            DiffijException e = assertThrows(DiffijException.class, () -> LrSchedule.Stepped.parse(bad, 0));
            assertTrue(e.getMessage().startsWith("LR schedule"), e.getMessage());
        }
        assertThrows(DiffijException.class, () -> LrSchedule.parse("cosine_restarts", 1e-4, 0, 100, 1, 1));
    }

    @Test
    void warmupStartsAtZeroAndPolynomialEndsAtItsEndRate() {
        LrSchedule linear = LrSchedule.parse("linear", 1e-4, 10, 100, 1, 1);
        assertEquals(0, linear.factor(0));
        assertEquals(0.5, linear.factor(5));
        assertEquals(1, linear.factor(10));
        assertEquals(0, linear.factor(100));
        LrSchedule.Diffusers polynomial = new LrSchedule.Diffusers(LrSchedule.Diffusers.Kind.POLYNOMIAL, 1e-4, 0, 100,
                1, 2, 1e-7);
        assertEquals(1e-7, polynomial.lr(1e-4, 100), 1e-20);
        assertEquals(1e-7, polynomial.lr(1e-4, 500), 1e-20);
        assertThrows(DiffijException.class, () -> new LrSchedule.Diffusers(LrSchedule.Diffusers.Kind.POLYNOMIAL,
                1e-8, 0, 100, 1, 1, 1e-7));
    }
}
