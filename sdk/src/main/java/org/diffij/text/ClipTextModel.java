package org.diffij.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.diffij.DiffijException;
import org.diffij.engine.CachedModel;
import org.diffij.io.WeightSet;
import org.diffij.io.Weights;

/**
 * transformers' {@code CLIPTextModel} and {@code CLIPTextModelWithProjection}: token and position
 * embeddings, pre-norm transformer layers with causal self-attention, a final LayerNorm, the
 * pooled output at the end token and (with projection) {@code text_embeds}. Weights are read by
 * their transformers names into the manager given to {@link #load}, typically a model-cache scope;
 * every forward pass computes in the manager of its input ids, i.e. inside the calling job.
 */
public final class ClipTextModel implements CachedModel {

    private static final String PREFIX = "text_model.";

    private final ClipTextConfig config;
    private final DataType dtype;
    private final NDArray tokenEmbedding;
    private final NDArray positionEmbedding;
    private final ClipEncoder encoder;
    private final NDArray finalNormWeight;
    private final NDArray finalNormBias;
    private final NDArray textProjection;
    private final long sizeBytes;

    private ClipTextModel(ClipTextConfig config, Weights weights, NDManager manager, DataType dtype) {
        this.config = config;
        this.dtype = dtype;
        ClipWeights reader = new ClipWeights(weights, manager, dtype, "text encoder");
        long d = config.hiddenSize();
        tokenEmbedding = reader.read(PREFIX + "embeddings.token_embedding.weight", config.vocabSize(), d);
        positionEmbedding = reader.read(PREFIX + "embeddings.position_embedding.weight",
                config.maxPositionEmbeddings(), d);
        encoder = new ClipEncoder(config.encoder(), reader, PREFIX + "encoder");
        finalNormWeight = reader.read(PREFIX + "final_layer_norm.weight", d);
        finalNormBias = reader.read(PREFIX + "final_layer_norm.bias", d);
        textProjection = config.withProjection()
                ? reader.read("text_projection.weight", config.projectionDim(), d) : null;
        sizeBytes = reader.bytes();
    }

    /** An encoder from a config and any source of weights (a folder's files, or weights with LoRA merged in). */
    public static ClipTextModel load(ClipTextConfig config, Weights weights, NDManager manager, DataType dtype) {
        return new ClipTextModel(config, weights, manager, dtype);
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
        List<NDArray> hiddenStates = encoder.forward(x, causalMask(manager, length));
        NDArray last = finalLayerNorm(hiddenStates.get(hiddenStates.size() - 1));
        NDArray pooled = pool(manager, last, ids, batch, length);
        NDArray textEmbeds = textProjection == null ? null : Linear.linear(pooled, textProjection).singletonOrThrow();
        return new ClipTextOutput(hiddenStates, last, pooled, textEmbeds, this::finalLayerNorm);
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
        NDArray added = extra.toType(dtype, false).get(manager, new NDIndex("{}", manager.create(extraIds)));
        NDArray select = manager.create(isExtra, new Shape(ids.length, 1)).broadcast(base.getShape());
        return NDArrays.where(select, added, base);
    }

    private NDArray causalMask(NDManager manager, long length) {
        int n = (int) length;
        float[] mask = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                mask[i * n + j] = Float.NEGATIVE_INFINITY;
            }
        }
        return manager.create(mask, new Shape(n, n)).toType(dtype, false);
    }

    NDArray finalLayerNorm(NDArray hidden) {
        return encoder.layerNorm(hidden, finalNormWeight, finalNormBias);
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
