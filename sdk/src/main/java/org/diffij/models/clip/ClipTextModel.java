package org.diffij.models.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.diffij.DiffijException;
import org.diffij.engine.CachedModel;
import org.diffij.io.WeightSet;
import org.diffij.io.Weights;
import org.diffij.nn.LayerNorm;
import org.diffij.nn.Linear;
import org.diffij.nn.ParameterLoader;
import org.diffij.nn.ParameterTree;
import org.diffij.nn.ParameterizedModel;
import org.diffij.nn.Params;

/**
 * transformers' {@code CLIPTextModel} and {@code CLIPTextModelWithProjection}: token and position
 * embeddings, the {@link ClipEncoder} with causal self-attention, a final LayerNorm, the pooled
 * output at the end token and (with projection) {@code text_embeds}. Its parameters carry the
 * transformers keys ({@code text_model.encoder.layers.0.self_attn.q_proj.weight}, ...), so run-time
 * LoRA branches reach its linear layers as they reach the UNet's. Weights live in the manager
 * given to the loader; every forward computes in the manager of its input ids.
 */
public final class ClipTextModel implements CachedModel, ParameterizedModel {

    private final ClipTextConfig config;
    private final NDArray tokenEmbedding;
    private final NDArray positionEmbedding;
    private final ClipEncoder encoder;
    private final LayerNorm finalLayerNorm;
    private final Linear textProjection;
    private final ParameterTree parameters;
    private final long sizeBytes;
    private final Function<Supplier<ClipTextOutput>, ClipTextOutput> adapters;

    /** Built from the loader's parameters (read from weights, or made up for benchmarks). */
    public ClipTextModel(ClipTextConfig config, ParameterLoader loader) {
        this.config = config;
        Params p = loader.root().at("text_model");
        long d = config.hiddenSize();
        tokenEmbedding = p.at("embeddings", "token_embedding").tensor("weight", config.vocabSize(), d);
        positionEmbedding = p.at("embeddings", "position_embedding").tensor("weight", config.maxPositionEmbeddings(),
                d);
        encoder = new ClipEncoder(p.at("encoder"), config.encoder(), true);
        finalLayerNorm = new LayerNorm(p.at("final_layer_norm"), d, (float) config.layerNormEps());
        textProjection = config.withProjection()
                ? new Linear(loader.root().at("text_projection"), d, config.projectionDim(), false) : null;
        // Real checkpoints carry the position ids as a buffer; they are always 0..n-1.
        loader.ignoring("text_model.embeddings.position_ids");
        loader.finish();
        parameters = loader.tree();
        sizeBytes = loader.bytes();
        adapters = null;
    }

    private ClipTextModel(ClipTextModel base, Function<Supplier<ClipTextOutput>, ClipTextOutput> adapters) {
        this.config = base.config;
        this.tokenEmbedding = base.tokenEmbedding;
        this.positionEmbedding = base.positionEmbedding;
        this.encoder = base.encoder;
        this.finalLayerNorm = base.finalLayerNorm;
        this.textProjection = base.textProjection;
        this.parameters = base.parameters;
        this.sizeBytes = base.sizeBytes;
        this.adapters = adapters;
    }

    /**
     * The same encoder (its layers and weights shared, nothing copied) whose every forward runs inside
     * {@code adapters}, e.g. a request's run-time LoRA branches: the cached model stays unchanged.
     */
    public ClipTextModel withAdapters(Function<Supplier<ClipTextOutput>, ClipTextOutput> adapters) {
        return new ClipTextModel(this, adapters);
    }

    /** An encoder from a config and any source of weights (a folder's files, a renamed single-file checkpoint). */
    public static ClipTextModel load(ClipTextConfig config, Weights weights, NDManager manager, DataType dtype) {
        return new ClipTextModel(config, new ParameterLoader(weights, manager, dtype, "text encoder"));
    }

    /** The encoder of a {@code text_encoder/} folder: its config.json and safetensors weights. */
    public static ClipTextModel load(Path folder, NDManager manager, DataType dtype) {
        ClipTextConfig config = ClipTextConfig.read(folder.resolve("config.json"));
        try (WeightSet weights = WeightSet.openFolder(folder)) {
            return load(config, weights, manager, dtype);
        }
    }

    public ClipTextConfig config() {
        return config;
    }

    @Override
    public ParameterTree parameters() {
        return parameters;
    }

    @Override
    public long sizeBytes() {
        return sizeBytes;
    }

    /** Encodes int64 ids of shape (batch, length); results live in the ids' manager. */
    public ClipTextOutput forward(NDArray inputIds) {
        return forward(inputIds, null);
    }

    /**
     * Encodes ids where ids from {@code vocabSize} on select rows of {@code extraEmbeddings}
     * (textual-inversion vectors of one request, shape (n, hidden)); the model itself is unchanged.
     */
    public ClipTextOutput forward(NDArray inputIds, NDArray extraEmbeddings) {
        return adapters == null ? encode(inputIds, extraEmbeddings) : adapters.apply(() -> encode(inputIds, extraEmbeddings));
    }

    private ClipTextOutput encode(NDArray inputIds, NDArray extraEmbeddings) {
        Shape shape = inputIds.getShape();
        if (shape.dimension() != 2 || shape.get(1) < 1 || shape.get(1) > config.maxPositionEmbeddings()) {
            throw new DiffijException("text encoder input ids must have shape (batch, length <= "
                    + config.maxPositionEmbeddings() + "), got " + shape);
        }
        NDManager manager = inputIds.getManager();
        long batch = shape.get(0);
        long length = shape.get(1);
        long[] ids = inputIds.toType(DataType.INT64, false).toLongArray();
        long extraRows = extraEmbeddings == null ? 0 : extraEmbeddings.getShape().get(0);
        for (long id : ids) {
            if (id < 0 || id >= config.vocabSize() + extraRows) {
                throw new DiffijException("token id " + id + " is outside the text encoder's vocabulary of "
                        + (config.vocabSize() + extraRows) + " ids");
            }
        }
        NDArray x = embed(manager, ids, extraEmbeddings).reshape(batch, length, config.hiddenSize());
        x = x.add(positionEmbedding.get(manager, new NDIndex("0:{}", length)));
        List<NDArray> hiddenStates = encoder.forward(x);
        NDArray last = finalLayerNorm.forward(hiddenStates.get(hiddenStates.size() - 1));
        NDArray pooled = pool(manager, last, ids, batch, length);
        NDArray textEmbeds = textProjection == null ? null : textProjection.forward(pooled);
        return new ClipTextOutput(hiddenStates, last, pooled, textEmbeds, finalLayerNorm::forward);
    }

    private NDArray embed(NDManager manager, long[] ids, NDArray extra) {
        long vocab = config.vocabSize();
        if (extra == null || Arrays.stream(ids).allMatch(id -> id < vocab)) {
            return tokenEmbedding.get(manager, new NDIndex("{}", manager.create(ids)));
        }
        long[] baseIds = new long[ids.length];
        long[] extraIds = new long[ids.length];
        boolean[] isExtra = new boolean[ids.length];
        for (int i = 0; i < ids.length; i++) {
            isExtra[i] = ids[i] >= vocab;
            baseIds[i] = isExtra[i] ? 0 : ids[i];
            extraIds[i] = isExtra[i] ? ids[i] - vocab : 0;
        }
        NDArray base = tokenEmbedding.get(manager, new NDIndex("{}", manager.create(baseIds)));
        NDArray added = extra.toType(tokenEmbedding.getDataType(), false)
                .get(manager, new NDIndex("{}", manager.create(extraIds)));
        NDArray select = manager.create(isExtra, new Shape(ids.length, 1)).broadcast(base.getShape());
        return NDArrays.where(select, added, base);
    }

    /** The last hidden state at each row's end token: its highest id (legacy configs) or first eos id. */
    private NDArray pool(NDManager manager, NDArray last, long[] ids, long batch, long length) {
        long[] rows = new long[(int) batch];
        for (int b = 0; b < batch; b++) {
            int at = 0;
            for (int t = 0; t < length; t++) {
                long id = ids[(int) (b * length + t)];
                if (config.poolsAtHighestId() ? id > ids[(int) (b * length + at)] : id == config.eosTokenId()) {
                    at = t;
                    if (!config.poolsAtHighestId()) {
                        break;
                    }
                }
            }
            rows[b] = b * length + at;
        }
        return last.reshape(batch * length, config.hiddenSize()).get(new NDIndex("{}", manager.create(rows)));
    }
}
