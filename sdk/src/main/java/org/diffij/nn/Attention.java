package org.diffij.nn;

import ai.djl.ndarray.NDArray;
import org.diffij.DiffijException;

/**
 * Multi-head attention: {@code to_q}, {@code to_k}, {@code to_v} projections, scaled-dot-product
 * attention per head, and the {@code to_out.0} projection. Keys and values come from the context
 * (cross-attention) or from the input itself (self-attention). Takes image-prompt branches
 * ({@link DecoupledCrossAttention}); a transformer block's attention also takes hypernetworks'
 * key/value context transforms ({@link KeyValueContexts}).
 */
public final class Attention {

    /** The projections' module names: diffusers' ({@code to_q ... to_out.0}) or transformers' CLIP ones. */
    public record Projections(String query, String key, String value, String out) {
        public static final Projections DIFFUSERS = new Projections("to_q", "to_k", "to_v", "to_out.0");
        public static final Projections CLIP = new Projections("q_proj", "k_proj", "v_proj", "out_proj");
    }

    private final String module;
    private final boolean causal;
    private final boolean transformsContext;
    private final int heads;
    private final long dimHead;
    private final Linear toQ;
    private final Linear toK;
    private final Linear toV;
    private final Linear toOut;

    /**
     * @param contextDim channels of the context, or {@code queryDim} for self-attention
     * @param qkvBias whether {@code to_q/k/v} have biases (the VAE's do, the UNet's do not)
     */
    public Attention(Params p, long queryDim, long contextDim, int heads, long dimHead, boolean qkvBias) {
        this(p, Projections.DIFFUSERS, queryDim, contextDim, heads, dimHead, qkvBias, false);
    }

    /** @param causal whether position i attends to positions up to i only (CLIP's text tower) */
    public Attention(Params p, Projections names, long queryDim, long contextDim, int heads, long dimHead,
            boolean qkvBias, boolean causal) {
        this(p, names, queryDim, contextDim, heads, dimHead, qkvBias, causal, false);
    }

    private Attention(Params p, Projections names, long queryDim, long contextDim, int heads, long dimHead,
            boolean qkvBias, boolean causal, boolean transformsContext) {
        long inner = heads * dimHead;
        this.module = p.prefix();
        this.causal = causal;
        this.transformsContext = transformsContext;
        this.heads = heads;
        this.dimHead = dimHead;
        this.toQ = new Linear(p.at(names.query()), queryDim, inner, qkvBias);
        this.toK = new Linear(p.at(names.key()), contextDim, inner, qkvBias);
        this.toV = new Linear(p.at(names.value()), contextDim, inner, qkvBias);
        this.toOut = new Linear(p.at(names.out()), inner, queryDim, true);
    }

    /**
     * The self- or cross-attention of a transformer block (UNet, ControlNet): diffusers' projections
     * without biases, and its key/value context open to {@link KeyValueContexts} (A1111 hooks exactly
     * these attentions, not the VAE's or CLIP's).
     */
    public static Attention ofTransformerBlock(Params p, long queryDim, long contextDim, int heads, long dimHead) {
        return new Attention(p, Projections.DIFFUSERS, queryDim, contextDim, heads, dimHead, false, false, true);
    }

    /** {@code x (B, L, queryDim)}, {@code context (B, Lc, contextDim)} or null for self-attention. */
    public NDArray forward(NDArray x, NDArray context) {
        return Scope.run(x, input -> {
            NDArray source = context == null ? input : context;
            NDArray q = splitHeads(toQ.forward(input));
            KeyValueContexts.Pair contexts = transformsContext ? KeyValueContexts.of(source)
                    : new KeyValueContexts.Pair(source, source);
            NDArray k = splitHeads(toK.forward(contexts.forKeys()));
            NDArray v = splitHeads(toV.forward(contexts.forValues()));
            // Causal attention runs on text tokens only (77), whose score matrix never needs slicing.
            NDArray attended = OpProfile.time("attention (scaled dot product)", () -> causal
                    ? Kernels.get().causalAttention(q, k, v)
                    : AttentionSlicing.current().attend(Kernels.get(), q, k, v));
            for (DecoupledCrossAttention.Branch b : DecoupledCrossAttention.of(module)) {
                if (b.keys().getShape().get(0) != q.getShape().get(0)) {
                    throw new DiffijException(module + ": the image prompt has batch " + b.keys().getShape().get(0)
                            + " but the UNet runs batch " + q.getShape().get(0));
                }
                NDArray image = OpProfile.time("attention (image prompt)",
                        () -> AttentionSlicing.current().attend(Kernels.get(), q, b.keys(), b.values()));
                attended = attended.add(ScalarOps.mul(image, b.scale()));
            }
            long[] s = attended.getShape().getShape();
            return toOut.forward(attended.transpose(0, 2, 1, 3).reshape(s[0], s[2], heads * dimHead));
        });
    }

    private NDArray splitHeads(NDArray x) {
        long[] s = x.getShape().getShape();
        return x.reshape(s[0], s[1], heads, dimHead).transpose(0, 2, 1, 3);
    }
}
