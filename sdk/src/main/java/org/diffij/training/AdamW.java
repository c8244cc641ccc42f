package org.diffij.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.diffij.DiffijException;
import org.diffij.engine.Tensors;
import org.diffij.io.Weights;
import org.diffij.nn.Kernels;

/**
 * AdamW with decoupled weight decay, step for step as torch 1.13's {@code _single_tensor_adamw} (the
 * CPU default every diffusers training script uses): per parameter and step t = 1, 2, ...
 * <pre>
 * p *= 1 - lr*wd;  m = m*b1 + g*(1-b1);  v = v*b2 + g*g*(1-b2)
 * p -= lr / (1-b1^t) * m / (sqrt(v) / sqrt(1-b2^t) + eps)
 * </pre>
 * with the scalar factors in double and the tensors in float32. The moments and the step count are
 * kept per parameter name, so parameters may be added between steps and one without a gradient in a
 * step is skipped entirely (no decay, no step count), as torch skips a parameter whose grad is None.
 */
public final class AdamW {

    /** The hyper-parameters besides the learning rate; {@link #DEFAULTS} are torch's and every script's. */
    public record Settings(double beta1, double beta2, double eps, double weightDecay) {

        public static final Settings DEFAULTS = new Settings(0.9, 0.999, 1e-8, 1e-2);

        public Settings {
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new DiffijException("betas must be two numbers in [0, 1), not (" + beta1 + ", " + beta2 + ")");
            }
            OptionRanges.number("eps", eps, 0, true, 1, "");
            OptionRanges.number("weight_decay", weightDecay, 0, false, 100, "");
        }
    }

    /** What AdamW remembers about one parameter: the first and second moments and its own step count. */
    private static final class Moments {
        final NDArray expAvg;
        final NDArray expAvgSq;
        long step;

        Moments(NDArray expAvg, NDArray expAvgSq, long step) {
            this.expAvg = expAvg;
            this.expAvgSq = expAvgSq;
            this.step = step;
        }

        void close() {
            expAvg.close();
            expAvgSq.close();
        }
    }

    private static final String EXP_AVG = ".exp_avg";
    private static final String EXP_AVG_SQ = ".exp_avg_sq";
    private static final String STEP = ".step";

    private final NDManager manager;
    private final Settings settings;
    private final Map<String, Moments> moments = new LinkedHashMap<>();

    /** An optimiser whose state lives in {@code manager} (closing the manager frees it). */
    public AdamW(NDManager manager, Settings settings) {
        this.manager = manager;
        this.settings = settings;
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Updates {@code parameter} in place from its {@code gradient} at learning rate {@code lr}; a null
     * gradient leaves the parameter and its state untouched.
     */
    public void step(String name, NDArray parameter, NDArray gradient, double lr) {
        if (gradient == null) {
            return;
        }
        if (!parameter.getShape().equals(gradient.getShape())) {
            throw new IllegalArgumentException("gradient of " + name + " has shape " + gradient.getShape()
                    + ", the parameter " + parameter.getShape());
        }
        Moments m = moments.computeIfAbsent(name, k -> new Moments(zerosLike(parameter), zerosLike(parameter), 0));
        m.step++;
        Kernels.get().adamw(parameter, gradient, m.expAvg, m.expAvgSq, m.step, lr, settings.beta1(),
                settings.beta2(), settings.weightDecay(), settings.eps());
    }

    private NDArray zerosLike(NDArray parameter) {
        return manager.zeros(parameter.getShape(), parameter.getDataType());
    }

    /** The names of the parameters that have state (took at least one step), in first-step order. */
    public Set<String> names() {
        return moments.keySet();
    }

    /** How many steps the parameter has taken (0 if none). */
    public long steps(String name) {
        Moments m = moments.get(name);
        return m == null ? 0 : m.step;
    }

    /**
     * The state as engine tensors, for checkpoints: {@code <name>.exp_avg}, {@code <name>.exp_avg_sq}
     * (the optimiser's own arrays, not copies: read them before the next step) and {@code <name>.step}
     * (an int64 scalar made in {@code scope}) per parameter, in first-step order.
     */
    public Map<String, NDArray> state(NDManager scope) {
        Map<String, NDArray> state = new LinkedHashMap<>();
        moments.forEach((name, m) -> {
            state.put(name + EXP_AVG, m.expAvg);
            state.put(name + EXP_AVG_SQ, m.expAvgSq);
            state.put(name + STEP, scope.create(m.step));
        });
        return state;
    }

    /**
     * Replaces the whole state by one {@link #state} gave, read tensor by tensor from {@code saved}
     * (a checkpoint file stays mapped, not copied whole into memory).
     */
    public void importState(Weights saved) {
        Map<String, Moments> loaded = new LinkedHashMap<>();
        try {
            for (String key : saved.names()) {
                if (!key.endsWith(STEP)) {
                    continue;
                }
                String name = key.substring(0, key.length() - STEP.length());
                if (!saved.contains(name + EXP_AVG) || !saved.contains(name + EXP_AVG_SQ)) {
                    throw new DiffijException("optimizer state of " + name + " is incomplete: it needs " + name
                            + EXP_AVG + " and " + name + EXP_AVG_SQ + " beside " + key);
                }
                loaded.put(name, new Moments(Tensors.toNDArray(manager, saved.read(name + EXP_AVG), DataType.FLOAT32),
                        Tensors.toNDArray(manager, saved.read(name + EXP_AVG_SQ), DataType.FLOAT32),
                        saved.read(key).toLongArray()[0]));
            }
            if (loaded.size() * 3 != saved.names().size()) {
                throw new DiffijException("optimizer state has " + saved.names().size() + " tensors, not 3 per "
                        + "parameter (exp_avg, exp_avg_sq, step)");
            }
        } catch (RuntimeException e) {
            loaded.values().forEach(Moments::close);
            throw e;
        }
        clear();
        moments.putAll(loaded);
    }

    private void clear() {
        moments.values().forEach(Moments::close);
        moments.clear();
    }
}
