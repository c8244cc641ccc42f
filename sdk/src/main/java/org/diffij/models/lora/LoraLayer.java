package org.diffij.models.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Map;
import org.diffij.DiffijException;
import org.diffij.engine.Tensors;
import org.diffij.io.HostTensor;
import org.diffij.nn.LowRankBranches;

/**
 * What one adapter file changes in one layer, and the change by the formulas LyCORIS, ComfyUI and
 * A1111 use. At multiplier m the layer's weight becomes {@code W + m · ΔW} with
 * <ul>
 * <li>LoRA / LoCon: {@code ΔW = α/r · up · down}; with a Tucker core {@code lora_mid},
 *     {@code ΔW[o, i, k, l] = α/r · Σ up[o, a] · mid[a, b, k, l] · down[b, i]};</li>
 * <li>LoHa: {@code ΔW = α/r · (w1a · w1b) ⊙ (w2a · w2b)} (r the rank of {@code w1b}); with cores
 *     {@code hada_t1/t2} each factor is {@code Σ wa[a, o] · t[a, b, k, l] · wb[b, i]};</li>
 * <li>LoKr: {@code ΔW = s · kron(w1, w2)}, each factor stored whole or as {@code a · b} (w2 also
 *     with a Tucker core), {@code s = α/r} with r the rank of the low-rank factor, else 1;</li>
 * <li>full: {@code ΔW = diff}, {@code Δb = diff_b}; norm: {@code ΔW = w_norm}, {@code Δb = b_norm};
 *     IA3: {@code ΔW = W ⊙ w} along the outputs (or inputs with {@code on_input});</li>
 * <li>DoRA ({@code dora_scale}, PEFT's {@code lora_magnitude_vector}): with {@code W' = W + ΔW} and
 *     its column norms (row norms when the scale is per output), {@code ΔW ← dora · W' / ‖W'‖ − W}.</li>
 * </ul>
 * An alpha that is not stored counts as the rank (factor 1).
 *
 * @param module the layer's diffusers module path in its component
 * @param key the layer's name in the file (for messages)
 * @param parts the stored tensors by normalised part name ({@code down}, {@code up}, {@code hada_w1_a}, ...)
 * @param alpha the stored alpha, NaN when there is none
 */
public record LoraLayer(String module, String key, LoraAlgorithm algorithm, Map<String, HostTensor> parts,
        float alpha) {

    public LoraLayer {
        parts = Map.copyOf(parts);
    }

    /** Whether the change is {@code factor · up · (mid ·) down}, which runs as a branch beside the layer. */
    public boolean isLowRank() {
        return algorithm == LoraAlgorithm.LORA && !hasDora();
    }

    public boolean hasDora() {
        return parts.containsKey("dora_scale") || parts.containsKey("magnitude");
    }

    /** The rank alpha is divided by; 0 where there is none (full, IA3, norm, LoKr of whole factors). */
    public int rank() {
        return switch (algorithm) {
            case LORA -> dim(parts.get("down"), 0);
            case LOHA -> dim(parts.get("hada_w1_b"), 0);
            case LOKR -> parts.containsKey("lokr_w2_b") ? dim(parts.get("lokr_w2_b"), 0)
                    : parts.containsKey("lokr_w1_b") ? dim(parts.get("lokr_w1_b"), 0) : 0;
            default -> 0;
        };
    }

    /** {@code α / r}, or 1 where there is no rank or no stored alpha. */
    public float scale() {
        int rank = rank();
        return rank == 0 || Float.isNaN(alpha) ? 1f : alpha / rank;
    }

    /** The run-time branch of a low-rank layer at a multiplier. */
    public LowRankBranches.Branch branch(NDManager manager, DataType computeType, float multiplier) {
        HostTensor mid = parts.get("mid");
        return new LowRankBranches.Branch(Tensors.toNDArray(manager, parts.get("down"), computeType),
                mid == null ? null : Tensors.toNDArray(manager, mid, computeType),
                Tensors.toNDArray(manager, parts.get("up"), computeType), multiplier * scale());
    }

    /** Whether the layer changes the bias too. */
    public boolean changesBias() {
        return parts.containsKey("diff_b") || parts.containsKey("b_norm");
    }

    /** ΔW at multiplier 1 as float32 of the weight's shape, or null when only the bias changes. */
    public NDArray weightDelta(NDManager m, HostTensor weight) {
        long[] shape = weight.shape();
        long out = shape[0];
        NDArray delta = switch (algorithm) {
            case LORA -> parts.containsKey("mid")
                    ? tucker(f(m, "up").reshape(out, -1), f(m, "mid"), f(m, "down").reshape(rank(), -1))
                    : f(m, "up").reshape(out, -1).matMul(f(m, "down").reshape(rank(), -1));
            case LOHA -> hadamardFactor(m, "1").mul(hadamardFactor(m, "2"));
            case LOKR -> kron(kroneckerFactor(m, "1"), kroneckerFactor(m, "2"));
            case FULL -> parts.containsKey("diff") ? f(m, "diff") : null;
            case NORM -> parts.containsKey("w_norm") ? f(m, "w_norm") : null;
            case IA3 -> {
                NDArray w = Tensors.toNDArray(m, weight, DataType.FLOAT32);
                long[] along = new long[shape.length];
                Arrays.fill(along, 1);
                along[onInput() ? 1 : 0] = shape[onInput() ? 1 : 0];
                yield w.mul(f(m, "weight").reshape(new Shape(along)));
            }
        };
        if (delta == null) {
            return null;
        }
        delta = delta.reshape(new Shape(shape));
        float scale = scale();
        if (scale != 1f) {
            delta = delta.mul(scale);
        }
        return hasDora() ? decomposed(m, weight, delta) : delta;
    }

    /** Δb at multiplier 1 as float32, or null when the bias does not change. */
    public NDArray biasDelta(NDManager m) {
        String part = parts.containsKey("diff_b") ? "diff_b" : parts.containsKey("b_norm") ? "b_norm" : null;
        return part == null ? null : f(m, part).reshape(-1);
    }

    private boolean onInput() {
        HostTensor flag = parts.get("on_input");
        return flag != null && flag.toDoubleArray()[0] != 0;
    }

    private NDArray f(NDManager m, String part) {
        return Tensors.toNDArray(m, parts.get(part), DataType.FLOAT32);
    }

    /** {@code w1a · w1b} or, with a core, {@code Σ w1a[a, o] t1[a, b, ...] w1b[b, i]}. */
    private NDArray hadamardFactor(NDManager m, String n) {
        NDArray a = f(m, "hada_w" + n + "_a");
        NDArray b = f(m, "hada_w" + n + "_b");
        return parts.containsKey("hada_t" + n) ? tucker(a.transpose(), f(m, "hada_t" + n), b)
                : a.matMul(b.reshape(b.getShape().get(0), -1));
    }

    private NDArray kroneckerFactor(NDManager m, String n) {
        if (parts.containsKey("lokr_w" + n)) {
            return f(m, "lokr_w" + n);
        }
        NDArray a = f(m, "lokr_w" + n + "_a");
        NDArray b = f(m, "lokr_w" + n + "_b");
        return parts.containsKey("lokr_t" + n) ? tucker(a.transpose(), f(m, "lokr_t" + n), b)
                : a.matMul(b.reshape(b.getShape().get(0), -1));
    }

    /** {@code Σ_ab up[o, a] · core[a, b, k, l] · down[b, i]} as {@code [o, i, k, l]}. */
    private static NDArray tucker(NDArray up, NDArray core, NDArray down) {
        long[] c = core.getShape().getShape();
        long a = c[0];
        long b = c[1];
        long kernel = core.size() / (a * b);
        long in = down.size() / b;
        NDArray coreDown = core.reshape(a, b, kernel).transpose(0, 2, 1).reshape(a * kernel, b)
                .matMul(down.reshape(b, in));
        NDArray full = up.matMul(coreDown.reshape(a, kernel * in));
        long[] shape = new long[c.length];
        shape[0] = up.getShape().get(0);
        shape[1] = in;
        System.arraycopy(c, 2, shape, 2, c.length - 2);
        return full.reshape(shape[0], kernel, in).transpose(0, 2, 1).reshape(new Shape(shape));
    }

    /** The Kronecker product; a 2-D first factor with a 4-D second acts as {@code [a, b, 1, 1]}. */
    private static NDArray kron(NDArray first, NDArray second) {
        long a = first.getShape().get(0);
        long b = first.size() / a;
        long[] s = second.getShape().getShape();
        long[] left = new long[s.length + 2];
        long[] right = new long[s.length + 2];
        Arrays.fill(left, 1);
        Arrays.fill(right, 1);
        left[0] = a;
        left[2] = b;
        right[1] = s[0];
        right[3] = s.length > 1 ? s[1] : 1;
        for (int i = 2; i < s.length; i++) {
            right[i + 2] = s[i];
        }
        long[] result = s.clone();
        result[0] = a * s[0];
        if (s.length > 1) {
            result[1] = b * s[1];
        }
        return first.reshape(new Shape(left)).mul(second.reshape(new Shape(right))).reshape(new Shape(result));
    }

    /** DoRA: {@code dora · W' / ‖W'‖ − W} for {@code W' = W + ΔW}, norms along the scale's axis. */
    private NDArray decomposed(NDManager m, HostTensor weight, NDArray delta) {
        NDArray w = Tensors.toNDArray(m, weight, DataType.FLOAT32);
        NDArray merged = w.add(delta);
        HostTensor magnitude = parts.containsKey("dora_scale") ? parts.get("dora_scale") : parts.get("magnitude");
        long[] shape = weight.shape();
        boolean perOutput = parts.containsKey("magnitude") || doraPerOutput(magnitude.shape(), shape);
        int keep = perOutput ? 0 : 1;
        int[] axes = new int[shape.length - 1];
        long[] normShape = new long[shape.length];
        for (int i = 0, j = 0; i < shape.length; i++) {
            normShape[i] = i == keep ? shape[i] : 1;
            if (i != keep) {
                axes[j++] = i;
            }
        }
        NDArray norm = merged.square().sum(axes, true).sqrt();
        return merged.mul(f(m, parts.containsKey("dora_scale") ? "dora_scale" : "magnitude")
                .reshape(new Shape(normShape)).div(norm)).sub(w);
    }

    /** LyCORIS stores {@code [out, 1, ...]} when it decomposes along outputs, {@code [1, in, ...]} otherwise. */
    private static boolean doraPerOutput(long[] scale, long[] weight) {
        return HostTensor.numel(scale) == weight[0] && scale[0] == weight[0] && (scale.length < 2 || scale[1] == 1)
                && weight[0] != 1;
    }

    private static int dim(HostTensor t, int axis) {
        return t == null || t.shape().length <= axis ? 0 : Math.toIntExact(t.shape()[axis]);
    }

    /**
     * Fails with a one-line message naming the layer when the stored tensors do not make a change
     * of the layer's weight (and bias) shape: missing parts, rank 0, mismatched factors, non-float
     * tensors, a non-scalar or non-finite alpha.
     *
     * @param bias the layer's bias shape, or null when it has none
     */
    void validate(String file, long[] weight, long[] bias) {
        for (Map.Entry<String, HostTensor> p : parts.entrySet()) {
            if (p.getValue().numel() == 0) {
                throw problem(file, p.getKey() + " " + Arrays.toString(p.getValue().shape()) + " is empty (rank 0)");
            }
            if (p.getKey().equals("on_input")) {
                continue;
            }
            if (p.getValue().shape().length == 0) {
                throw problem(file, p.getKey() + " is a single number where a tensor belongs");
            }
            String values = p.getValue().valueProblem(HostTensor.FLOAT16_MAX);
            if (values != null) {
                throw problem(file, p.getKey() + " " + values);
            }
        }
        if (!Float.isNaN(alpha) && !(Math.abs(alpha) <= HostTensor.FLOAT16_MAX)) {
            throw problem(file, "alpha " + alpha + " is absurd (at most " + HostTensor.FLOAT16_MAX + "; usually the rank or "
                    + "less): the file is damaged");
        }
        long out = weight[0];
        long rest = HostTensor.numel(weight) / out;
        long[] product = switch (algorithm) {
            case LORA -> loraShape(file, weight);
            case LOHA -> {
                long[] first = hadamardShape(file, "1");
                long[] second = hadamardShape(file, "2");
                if (!Arrays.equals(first, second)) {
                    throw problem(file, "the two Hadamard factors are " + Arrays.toString(first) + " and "
                            + Arrays.toString(second));
                }
                yield first;
            }
            case LOKR -> {
                long[] first = kroneckerShape(file, "1");
                long[] second = kroneckerShape(file, "2");
                yield new long[] {first[0] * second[0], first[1] * second[1]};
            }
            case FULL -> parts.containsKey("diff") ? parts.get("diff").shape() : null;
            case NORM -> parts.containsKey("w_norm") ? parts.get("w_norm").shape() : null;
            case IA3 -> {
                long along = weight.length > 1 && onInput() ? weight[1] : out;
                long stored = require(file, "weight").numel();
                if (stored != along) {
                    throw problem(file, "weight has " + stored + " values for " + along
                            + (onInput() ? " inputs" : " outputs"));
                }
                yield weight;
            }
        };
        if (product != null && (product[0] != out || HostTensor.numel(product) != out * rest)) {
            throw problem(file, "the change has shape " + Arrays.toString(product) + " but the layer's weight is "
                    + Arrays.toString(weight) + "; is the file for another base model?");
        }
        if (changesBias()) {
            long stored = parts.getOrDefault("diff_b", parts.get("b_norm")).numel();
            if (bias == null || stored != HostTensor.numel(bias)) {
                throw problem(file, "the bias change has " + stored + " values but the layer has "
                        + (bias == null ? "no bias" : "a bias of " + HostTensor.numel(bias)));
            }
        }
        if (hasDora()) {
            long stored = parts.getOrDefault("dora_scale", parts.get("magnitude")).numel();
            if (stored != out && (weight.length < 2 || stored != weight[1])) {
                throw problem(file, "the DoRA scale has " + stored + " values for a weight "
                        + Arrays.toString(weight));
            }
        }
    }

    private long[] loraShape(String file, long[] weight) {
        HostTensor down = require(file, "down");
        HostTensor up = require(file, "up");
        long rank = down.shape()[0];
        long upRank = up.shape().length > 1 ? up.shape()[1] : 0;
        if (up.numel() != up.shape()[0] * upRank) {
            throw problem(file, "up " + Arrays.toString(up.shape()) + " is not [out, rank(, 1, 1)]");
        }
        HostTensor mid = parts.get("mid");
        if (mid == null) {
            if (upRank != rank) {
                throw problem(file, "up " + Arrays.toString(up.shape()) + " and down " + Arrays.toString(down.shape())
                        + " have different ranks");
            }
            return new long[] {up.shape()[0], down.numel() / rank};
        }
        long[] core = mid.shape();
        if (core.length < 2 || core[0] != upRank || core[1] != rank || weight.length < 2
                || down.numel() != rank * weight[1]) {
            throw problem(file, "up " + Arrays.toString(up.shape()) + ", mid " + Arrays.toString(core) + " and down "
                    + Arrays.toString(down.shape()) + " do not chain to a weight " + Arrays.toString(weight));
        }
        return new long[] {up.shape()[0], weight[1] * (mid.numel() / (core[0] * core[1]))};
    }

    private long[] hadamardShape(String file, String n) {
        HostTensor a = require(file, "hada_w" + n + "_a");
        HostTensor b = require(file, "hada_w" + n + "_b");
        HostTensor core = parts.get("hada_t" + n);
        return factorShape(file, "hada_w" + n, a, b, core);
    }

    private long[] kroneckerShape(String file, String n) {
        HostTensor whole = parts.get("lokr_w" + n);
        if (whole != null) {
            long[] s = whole.shape();
            return new long[] {s[0], whole.numel() / s[0]};
        }
        return factorShape(file, "lokr_w" + n, require(file, "lokr_w" + n + "_a"), require(file, "lokr_w" + n + "_b"),
                parts.get("lokr_t" + n));
    }

    /** {@code [out, in·k·k]} of {@code a · b}, or of a Tucker product with {@code a [r, out]}, {@code b [r, in]}. */
    private long[] factorShape(String file, String name, HostTensor a, HostTensor b, HostTensor core) {
        long[] as = a.shape();
        long[] bs = b.shape();
        if (as.length != 2 || bs.length < 2) {
            throw problem(file, name + "_a " + Arrays.toString(as) + " and _b " + Arrays.toString(bs)
                    + " are not matrices");
        }
        if (core == null) {
            if (as[1] != bs[0]) {
                throw problem(file, name + "_a " + Arrays.toString(as) + " and _b " + Arrays.toString(bs)
                        + " have different ranks");
            }
            return new long[] {as[0], b.numel() / bs[0]};
        }
        long[] cs = core.shape();
        if (cs.length < 2 || cs[0] != as[0] || cs[1] != bs[0]) {
            throw problem(file, name + " core " + Arrays.toString(cs) + " does not chain " + Arrays.toString(as)
                    + " and " + Arrays.toString(bs));
        }
        return new long[] {as[1], (b.numel() / bs[0]) * (core.numel() / (cs[0] * cs[1]))};
    }

    private HostTensor require(String file, String part) {
        HostTensor t = parts.get(part);
        if (t == null) {
            throw problem(file, "the " + algorithm.label() + " part '" + part + "' is missing");
        }
        return t;
    }

    DiffijException problem(String file, String what) {
        return new DiffijException("adapter " + file + ", layer " + key + ": " + what);
    }
}
