package org.diffij.parity.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.diffij.engine.JobContext;
import org.diffij.engine.Tensors;
import org.diffij.io.HostTensor;
import org.diffij.parity.GoldenCase;
import org.diffij.training.AdamW;
import org.diffij.training.GradientClipping;
import org.diffij.training.LrSchedule;

/** The model-free training cases: {@code optimizer_adamw} and {@code lr_schedules}. */
final class OptimizerCases {

    private OptimizerCases() {
    }

    /** AdamW over the recorded gradients for each weight-decay variant, then clip_grad_norm_ of three tensors. */
    static Map<String, HostTensor> adamw(GoldenCase golden, JobContext ctx) {
        JsonObject params = golden.params();
        double lr = params.get("lr").getAsDouble();
        double beta1 = params.getAsJsonArray("betas").get(0).getAsDouble();
        double beta2 = params.getAsJsonArray("betas").get(1).getAsDouble();
        double eps = params.get("eps").getAsDouble();
        int steps = params.get("n_steps").getAsInt();
        List<Integer> recorded = new ArrayList<>();
        params.getAsJsonArray("record_steps").forEach(s -> recorded.add(s.getAsInt()));
        NDManager manager = ctx.manager();
        NDArray grads = Tensors.toNDArray(manager, golden.input("grads"), DataType.FLOAT32);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (JsonElement element : params.getAsJsonArray("variants")) {
            JsonObject variant = element.getAsJsonObject();
            String prefix = variant.get("name").getAsString() + ".";
            AdamW adamw = new AdamW(manager, new AdamW.Settings(beta1, beta2, eps,
                    variant.get("weight_decay").getAsDouble()));
            NDArray param = Tensors.toNDArray(manager, golden.input("param0"), DataType.FLOAT32);
            for (int s = 1; s <= steps; s++) {
                try (NDArray gradient = grads.get(s - 1)) {
                    adamw.step("param", param, gradient, lr);
                }
                if (recorded.contains(s)) {
                    Map<String, NDArray> state = adamw.state(manager);
                    out.put(prefix + "param_step" + s, Tensors.toHost(param));
                    out.put(prefix + "exp_avg_step" + s, Tensors.toHost(state.get("param.exp_avg")));
                    out.put(prefix + "exp_avg_sq_step" + s, Tensors.toHost(state.get("param.exp_avg_sq")));
                }
            }
        }
        List<NDArray> clipped = new ArrayList<>();
        for (int i = 0; golden.inputNames().contains("clip_grad_" + i); i++) {
            clipped.add(Tensors.toNDArray(manager, golden.input("clip_grad_" + i), DataType.FLOAT32));
        }
        GradientClipping.Clipped result = GradientClipping.clipGradNorm(clipped,
                params.get("clip_max_norm").getAsDouble());
        out.put("clip_total_norm", HostTensor.scalar((float) result.totalNorm()));
        for (int i = 0; i < clipped.size(); i++) {
            out.put("clip_grad_" + i + "_clipped", Tensors.toHost(clipped.get(i)));
        }
        return out;
    }

    /** The learning rate of optimiser steps 1..N+1 of every get_scheduler kind the case tabulates. */
    static Map<String, HostTensor> lrSchedules(GoldenCase golden) {
        JsonObject params = golden.params();
        double baseLr = params.get("base_lr").getAsDouble();
        int warmup = params.get("num_warmup_steps").getAsInt();
        int total = params.get("num_training_steps").getAsInt();
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (String output : golden.outputNames()) {
            LrSchedule.Diffusers.Kind kind = LrSchedule.Diffusers.Kind.of(output.substring("lr_".length()));
            double cycles = kind == LrSchedule.Diffusers.Kind.COSINE_WITH_RESTARTS
                    ? params.get("cosine_with_restarts_num_cycles").getAsDouble() : 1;
            LrSchedule schedule = new LrSchedule.Diffusers(kind, baseLr, warmup, total, cycles,
                    params.get("polynomial_power").getAsDouble(), params.get("polynomial_lr_end").getAsDouble());
            float[] table = new float[total + 1];
            for (int s = 0; s <= total; s++) {
                table[s] = (float) schedule.lr(baseLr, s);
            }
            out.put(output, HostTensor.ofFloats(table, table.length));
        }
        return out;
    }
}
