package org.diffij.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.function.Supplier;

/**
 * Recording a computation for backpropagation. Generation never records: its native kernels run in
 * libtorch's inference mode, which is faster and keeps no graph. A training step opens a
 * {@link Tape}; while it is open on a thread, every kernel on that thread runs in training mode and
 * avoids in-place updates of tensors autograd still needs. libtorch allows one recording per process
 * (DJL's gradient collector), so tapes do not nest.
 */
public final class Autograd {

    private static final ThreadLocal<Tape> RECORDING = new ThreadLocal<>();

    private Autograd() {
    }

    /** Whether the calling thread records for backward. */
    public static boolean recording() {
        return RECORDING.get() != null;
    }

    /** Starts recording on the calling thread; close the tape when the step's backward is done. */
    public static Tape start() {
        return new Tape(Engine.getInstance().newGradientCollector());
    }

    /**
     * Runs {@code update} with gradient tracking off, as an optimizer step must: libtorch refuses an
     * in-place change of a leaf that requires a gradient while it tracks.
     */
    public static void untracked(Runnable update) {
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            update.run();
        } finally {
            JniUtils.setGradMode(previous);
        }
    }

    /**
     * Computes {@code value} with gradient tracking off: inference on a model whose weights are being
     * trained (validation images, a frozen model's prediction as a target), which otherwise fails with
     * "Inference tensors cannot be saved for backward" outside a tape and records a useless graph inside one.
     */
    public static <T> T computeUntracked(Supplier<T> value) {
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return value.get();
        } finally {
            JniUtils.setGradMode(previous);
        }
    }

    /**
     * Runs {@code action} when the open tape's backward has reached the leaves of its graph: the
     * recomputation of {@link GradientCheckpoints} continues backpropagation from there. Actions run
     * in reverse order of registration.
     */
    public static void afterBackward(Runnable action) {
        openTape().pending.add(action);
    }

    /** Backpropagates the scalar {@code value} on the open tape now, without running its pending actions. */
    static void backpropagate(NDArray value) {
        openTape().collector.backward(value);
    }

    private static Tape openTape() {
        Tape tape = RECORDING.get();
        if (tape == null) {
            throw new IllegalStateException("no autograd tape is open on this thread");
        }
        return tape;
    }

    /** Makes {@code parameter} a leaf whose gradient backward fills (or stops that, for {@code false}). */
    public static void requireGradient(NDArray parameter, boolean required) {
        parameter.setRequiresGradient(required);
    }

    /** Whether the leaf {@code parameter} collects a gradient (DJL answers false for every non-leaf). */
    public static boolean requiresGradient(NDArray parameter) {
        return JniUtils.requiresGrad((PtNDArray) parameter);
    }

    /**
     * The gradient backward accumulated in {@code parameter}, as a new handle in {@code parameter}'s
     * manager (attach it to a per-step scope), or null when nothing flowed into it.
     */
    public static NDArray gradient(NDArray parameter) {
        // DJL's getGradient makes float32 zeros when no gradient flowed; the JNI call says null then.
        return parameter.hasGradient() ? JniUtils.getGradient((PtNDArray) parameter) : null;
    }

    /** Resets the accumulated gradient of {@code parameter} to zero (it accumulates across backward calls). */
    public static void zeroGradient(NDArray parameter) {
        if (parameter.hasGradient()) {
            JniUtils.zeroGrad((PtNDArray) parameter);
        }
    }

    /** One step's recording. */
    public static final class Tape implements AutoCloseable {

        private final GradientCollector collector;
        private final java.util.ArrayList<Runnable> pending = new java.util.ArrayList<>();

        private Tape(GradientCollector collector) {
            this.collector = collector;
            RECORDING.set(this);
        }

        /** Backpropagates the scalar {@code loss} into every leaf that requires a gradient; gradients add up. */
        public void backward(NDArray loss) {
            OpProfile.timed("backward", () -> collector.backward(loss));
            while (!pending.isEmpty()) {
                pending.remove(pending.size() - 1).run();
            }
        }

        @Override
        public void close() {
            RECORDING.remove();
            pending.clear();
            collector.close();
        }
    }
}
