package org.diffij.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.diffij.DiffijException;

/**
 * libtorch's fused {@code scaled_dot_product_attention}, {@code group_norm} and {@code gelu}
 * ({@code silu}, and both fused as group-norm-then-SiLU) reached through a TorchScript module this class writes itself. The module holds no tensors, so
 * one instance serves the whole process; results belong to the first input's manager.
 */
final class NativeKernels implements Kernels {

    /** TorchScript source; {@code memory_format=2} is {@code torch.channels_last} as serialized code spells it. */
    private static final String METHODS = """
              def attention(self: __torch__.diffij.Kernels, query: Tensor, key: Tensor, value: Tensor) -> Tensor:
                return torch.scaled_dot_product_attention(query, key, value)
              def group_norm(self: __torch__.diffij.Kernels, x: Tensor, groups: int, weight: Tensor, bias: Tensor, eps: float) -> Tensor:
                return torch.group_norm(x, groups, weight, bias, eps, False)
              def group_norm_silu(self: __torch__.diffij.Kernels, x: Tensor, groups: int, weight: Tensor, bias: Tensor, eps: float) -> Tensor:
                return torch.silu_(torch.group_norm(x, groups, weight, bias, eps, False))
              def group_norm_then_silu(self: __torch__.diffij.Kernels, x: Tensor, groups: int, weight: Tensor, bias: Tensor, eps: float) -> Tensor:
                return torch.silu(torch.group_norm(x, groups, weight, bias, eps, False))
              def causal_attention(self: __torch__.diffij.Kernels, query: Tensor, key: Tensor, value: Tensor) -> Tensor:
                return torch.scaled_dot_product_attention(query, key, value, None, 0.0, True)
              def silu(self: __torch__.diffij.Kernels, x: Tensor) -> Tensor:
                return torch.silu(x)
              def channels_last(self: __torch__.diffij.Kernels, x: Tensor) -> Tensor:
                return torch.clone(x, memory_format=2)
              def contiguous(self: __torch__.diffij.Kernels, x: Tensor) -> Tensor:
                return x.contiguous()
              def adamw(self: __torch__.diffij.Kernels, param: Tensor, grad: Tensor, exp_avg: Tensor, exp_avg_sq: Tensor, step: Tensor, lr: float, beta1: float, beta2: float, weight_decay: float, eps: float) -> Tensor:
                params = [param]
                torch._fused_adamw_(params, [grad], [exp_avg], [exp_avg_sq], [], [step], lr=lr, beta1=beta1, beta2=beta2, weight_decay=weight_decay, eps=eps, amsgrad=False, maximize=False)
                return params[0]
              def geglu(self: __torch__.diffij.Kernels, x: Tensor) -> Tensor:
                halves = torch.chunk(x, 2, -1)
                return torch.mul(halves[0], torch.gelu(halves[1]))
            """;

    private final PtSymbolBlock module;

    private NativeKernels(PtSymbolBlock module) {
        this.module = module;
    }

    static NativeKernels load() {
        byte[] archive = TorchScriptArchive.write("diffij", "Kernels", METHODS);
        // The module lives as long as the process: its manager holds no tensors.
        PtNDManager manager = (PtNDManager) NDManager.newBaseManager("PyTorch");
        try {
            PtSymbolBlock module = JniUtils.loadModule(manager, new ByteArrayInputStream(archive), true, false);
            return new NativeKernels(module);
        } catch (IOException | RuntimeException e) {
            throw new DiffijException("the native kernel module could not be loaded: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean attentionMaterializesScores() {
        return false;
    }

    @Override
    public NDArray attention(NDArray query, NDArray key, NDArray value) {
        return call("attention", query, IValue.from(pt(query)), IValue.from(pt(key)), IValue.from(pt(value)));
    }

    @Override
    public NDArray groupNorm(NDArray x, int groups, NDArray weight, NDArray bias, float eps) {
        return call("group_norm", x, IValue.from(pt(x)), IValue.from((long) groups), IValue.from(pt(weight)),
                IValue.from(pt(bias)), IValue.from((double) eps));
    }

    @Override
    public NDArray causalAttention(NDArray query, NDArray key, NDArray value) {
        return call("causal_attention", query, IValue.from(pt(query)), IValue.from(pt(key)), IValue.from(pt(value)));
    }

    @Override
    public NDArray groupNormSilu(NDArray x, int groups, NDArray weight, NDArray bias, float eps) {
        // SiLU in place would overwrite the normalised values that SiLU's own backward needs.
        return call(Autograd.recording() ? "group_norm_then_silu" : "group_norm_silu", x, IValue.from(pt(x)), IValue.from((long) groups), IValue.from(pt(weight)),
                IValue.from(pt(bias)), IValue.from((double) eps));
    }

    @Override
    public NDArray silu(NDArray x) {
        return call("silu", x, IValue.from(pt(x)));
    }

    @Override
    public NDArray geglu(NDArray x) {
        return call("geglu", x, IValue.from(pt(x)));
    }

    @Override
    public NDArray channelsLast(NDArray x) {
        return call("channels_last", x, IValue.from(pt(x)));
    }

    @Override
    public NDArray contiguous(NDArray x) {
        return call("contiguous", x, IValue.from(pt(x)));
    }

    /**
     * libtorch's fused CPU AdamW: one pass over parameter, gradient and moments instead of a dozen
     * whole-tensor operations (a full fine-tune's 860 M weights made that seconds per step).
     */
    @Override
    public void adamw(NDArray parameter, NDArray gradient, NDArray expAvg, NDArray expAvgSq, long step, double lr,
            double beta1, double beta2, double weightDecay, double eps) {
        // The updated parameter comes back as a result so that TorchScript keeps the in-place call.
        try (NDArray stepNumber = parameter.getManager().create((float) step)) {
            call("adamw", stepNumber, IValue.from(pt(parameter)), IValue.from(pt(gradient)), IValue.from(pt(expAvg)),
                    IValue.from(pt(expAvgSq)), IValue.from(pt(stepNumber)), IValue.from(lr), IValue.from(beta1),
                    IValue.from(beta2), IValue.from(weightDecay), IValue.from(eps)).close();
        }
    }

    @Override
    public String name() {
        return "native (TorchScript)";
    }

    /**
     * Runs a method of the module: in inference mode normally, in training mode (recorded by autograd)
     * while the thread records. Also the channels-last copies of parameters are made in training mode,
     * since inference-mode tensors can never require a gradient.
     */
    private NDArray call(String method, NDArray owner, IValue... inputs) {
        if (!UNOPTIMIZED.get()) {
            // TorchScript's profiling executor swaps in an optimised graph after the first calls and, while
            // recording, a symbolic-autodiff backward: gradients then depend on how often a kernel ran
            // before, and a resumed training run would not repeat an uninterrupted one. The setting is
            // per thread; our kernels are single library calls that optimisation does not speed up.
            JniUtils.setGraphExecutorOptimize(false);
            UNOPTIMIZED.set(true);
        }
        boolean training = Autograd.recording() || method.equals("channels_last");
        try (IValue result = training ? TrainingModeCall.run(module, method, inputs)
                : IValueUtils.runMethod(module, method, inputs)) {
            return result.toTensor((PtNDManager) owner.getManager());
        } finally {
            for (IValue input : inputs) {
                input.close();
            }
        }
    }

    private static final ThreadLocal<Boolean> UNOPTIMIZED = ThreadLocal.withInitial(() -> false);

    private static PtNDArray pt(NDArray array) {
        return (PtNDArray) array;
    }
}
