package org.diffij.nn;

import ai.djl.ndarray.NDArray;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.diffij.DiffijException;

/**
 * The compute kernels DJL lacks: scaled-dot-product attention and group normalisation. The native
 * ones call libtorch's fused functions through a small TorchScript module; the composed ones build
 * the same math from DJL ops. System property {@code diffij.kernels} = {@code native} (default) or
 * {@code composed} picks them; if the native module cannot be loaded, the composed ones are used.
 */
public interface Kernels {

    /** softmax(q·kᵀ/√d)·v for {@code q (B, heads, Lq, d)}, {@code k, v (B, heads, Lk, d)}. */
    NDArray attention(NDArray query, NDArray key, NDArray value);

    /** Attention where query position i sees key positions up to i only (CLIP's text tower). */
    NDArray causalAttention(NDArray query, NDArray key, NDArray value);

    /**
     * Whether {@link #attention} creates the whole {@code (B, heads, Lq, Lk)} score matrix; libtorch's
     * fused kernel works through it in blocks, so only the composed one needs slicing.
     */
    boolean attentionMaterializesScores();

    /** GroupNorm of {@code x (N, C, ...)} over {@code groups} channel groups, then ×weight + bias per channel. */
    NDArray groupNorm(NDArray x, int groups, NDArray weight, NDArray bias, float eps);

    /** SiLU of the group norm, computed in place on the normalised values (one tensor instead of two). */
    NDArray groupNormSilu(NDArray x, int groups, NDArray weight, NDArray bias, float eps);

    /** {@code x · sigmoid(x)}. */
    NDArray silu(NDArray x);

    /** {@code h · gelu(gate)} where {@code h, gate} are the two halves of the last axis (the GEGLU activation). */
    NDArray geglu(NDArray x);

    /**
     * A copy in channels-last (NHWC) memory layout, which oneDNN convolutions run about 1.5× faster
     * on and every op of the models preserves; the composed kernels keep NCHW (and return x). Always
     * a copy, never a view: arrays made from Java buffers may share that buffer, which closing the
     * original frees.
     */
    NDArray channelsLast(NDArray x);

    /** The same values in the standard contiguous layout (for results handed out of a model). */
    NDArray contiguous(NDArray x);

    /**
     * One AdamW step in place on {@code parameter} and its moments, step number {@code step} (1, 2, ...):
     * <pre>
     * p *= 1 - lr*wd;  m = m*b1 + g*(1-b1);  v = v*b2 + g*g*(1-b2)
     * p -= lr / (1-b1^t) * m / (sqrt(v) / sqrt(1-b2^t) + eps)
     * </pre>
     * Called with gradient tracking off.
     */
    void adamw(NDArray parameter, NDArray gradient, NDArray expAvg, NDArray expAvgSq, long step, double lr,
            double beta1, double beta2, double weightDecay, double eps);

    String name();

    static Kernels get() {
        Kernels chosen = Selected.OVERRIDE.get();
        return chosen != null ? chosen : Selected.KERNELS;
    }

    /**
     * Runs {@code body} on the calling thread with {@code kernels} instead of the process's choice, so
     * that checking code can compare both sets on one model in one process.
     */
    static <T> T using(Kernels kernels, java.util.function.Supplier<T> body) {
        Kernels previous = Selected.OVERRIDE.get();
        Selected.OVERRIDE.set(kernels);
        try {
            return body.get();
        } finally {
            Selected.OVERRIDE.set(previous);
        }
    }

    /** The native kernels (libtorch's fused functions), or the process's choice when they cannot load. */
    static Kernels nativeKernels() {
        return Selected.KERNELS instanceof NativeKernels ? Selected.KERNELS : NativeKernels.load();
    }

    /** The kernels composed of DJL ops. */
    static Kernels composedKernels() {
        return new ComposedKernels();
    }

    /** Lazily resolved once per process. */
    final class Selected {
        private static final Kernels KERNELS = select();
        private static final ThreadLocal<Kernels> OVERRIDE = new ThreadLocal<>();

        private Selected() {
        }

        private static Kernels select() {
            String choice = System.getProperty("diffij.kernels", "native").toLowerCase(Locale.ROOT);
            switch (choice) {
                case "composed":
                    return new ComposedKernels();
                case "native":
                    try {
                        return NativeKernels.load();
                    } catch (RuntimeException e) {
                        Logger.getLogger(Kernels.class.getName()).log(Level.WARNING,
                                "native attention/group_norm kernels unavailable, using composed ones", e);
                        return new ComposedKernels();
                    }
                default:
                    throw new DiffijException("diffij.kernels '" + choice + "' is not known; use native or composed");
            }
        }
    }
}
