package org.diffij.models.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import java.nio.file.Path;
import java.util.List;
import org.diffij.DiffijException;
import org.diffij.engine.CachedModel;
import org.diffij.engine.JobContext;
import org.diffij.io.WeightSet;
import org.diffij.io.Weights;
import org.diffij.nn.LayerNorm;
import org.diffij.nn.Linear;
import org.diffij.nn.ParameterLoader;
import org.diffij.nn.ParameterTree;
import org.diffij.nn.ParameterizedModel;
import org.diffij.nn.Params;

/**
 * transformers' {@code CLIPVisionModelWithProjection}, the image encoder of IP-Adapters: image
 * patches embedded by a strided convolution, a class token in front, positions added, a
 * pre-LayerNorm, the CLIP transformer encoder, a post-LayerNorm on the class token and
 * {@code visual_projection} to {@code image_embeds}. Weights are read by their transformers names
 * into the manager given to {@link #load}; each forward computes in its input's manager.
 */
public final class ClipVisionModelWithProjection implements CachedModel, ParameterizedModel {

    private final ClipVisionConfig config;
    private final NDArray classEmbedding;
    private final NDArray patchEmbedding;
    private final NDArray positionEmbedding;
    private final LayerNorm preLayerNorm;
    private final ClipEncoder encoder;
    private final LayerNorm postLayerNorm;
    private final Linear visualProjection;
    private final ParameterTree parameters;
    private final long sizeBytes;

    /** Built from the loader's parameters. */
    public ClipVisionModelWithProjection(ClipVisionConfig config, ParameterLoader loader) {
        this.config = config;
        Params v = loader.root().at("vision_model");
        long d = config.encoder().hiddenSize();
        long p = config.patchSize();
        float eps = (float) config.encoder().layerNormEps();
        classEmbedding = v.at("embeddings").tensor("class_embedding", d);
        patchEmbedding = v.at("embeddings", "patch_embedding").tensor("weight", d, config.numChannels(), p, p);
        positionEmbedding = v.at("embeddings", "position_embedding").tensor("weight", config.numPositions(), d);
        // "layrnorm" is how transformers spells this module.
        preLayerNorm = new LayerNorm(v.at("pre_layrnorm"), d, eps);
        encoder = new ClipEncoder(v.at("encoder"), config.encoder(), false);
        postLayerNorm = new LayerNorm(v.at("post_layernorm"), d, eps);
        visualProjection = new Linear(loader.root().at("visual_projection"), d, config.projectionDim(), false);
        loader.ignoring("vision_model.embeddings.position_ids");
        loader.finish();
        parameters = loader.tree();
        sizeBytes = loader.bytes();
    }

    public static ClipVisionModelWithProjection load(ClipVisionConfig config, Weights weights, NDManager manager,
            DataType dtype) {
        return new ClipVisionModelWithProjection(config, new ParameterLoader(weights, manager, dtype, "image encoder"));
    }

    /** The encoder of an {@code image_encoder/} folder: its config.json and safetensors weights. */
    public static ClipVisionModelWithProjection load(Path folder, NDManager manager, DataType dtype) {
        ClipVisionConfig config = ClipVisionConfig.read(folder.resolve("config.json"));
        try (WeightSet weights = WeightSet.openFolder(folder)) {
            return load(config, weights, manager, dtype);
        }
    }

    /**
     * An {@code image_encoder/} folder through the engine's model cache: loaded once per folder and
     * compute dtype, pinned while the job runs.
     */
    public static ClipVisionModelWithProjection cached(JobContext ctx, Path folder) {
        DataType type = ctx.engine().computeType();
        return ctx.model("clip-vision:" + folder.toAbsolutePath().normalize() + ":" + type,
                m -> load(folder, m, type));
    }

    public ClipVisionConfig config() {
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

    /** Encodes {@code pixelValues (batch, channels, image_size, image_size)} from the CLIP image processor. */
    public ClipVisionOutput forward(NDArray pixelValues) {
        long[] s = pixelValues.getShape().getShape();
        if (s.length != 4 || s[1] != config.numChannels() || s[2] != config.imageSize()
                || s[3] != config.imageSize()) {
            throw new DiffijException("image encoder pixel values have shape " + pixelValues.getShape()
                    + "; expected (batch, " + config.numChannels() + ", " + config.imageSize() + ", "
                    + config.imageSize() + ") from its image processor");
        }
        long batch = s[0];
        long d = config.encoder().hiddenSize();
        NDArray x = pixelValues.toType(patchEmbedding.getDataType(), false);
        Shape stride = new Shape(config.patchSize(), config.patchSize());
        NDArray patches = Conv2d.conv2d(x, patchEmbedding, null, stride, new Shape(0, 0), new Shape(1, 1), 1).head()
                .reshape(batch, d, -1).transpose(0, 2, 1);
        // Made in the input's manager: an op on a cached weight would leave its result in the cache's scope.
        NDArray classToken = x.getManager().zeros(new Shape(batch, 1, d), x.getDataType()).add(classEmbedding);
        NDArray embeddings = NDArrays.concat(new NDList(classToken, patches), 1).add(positionEmbedding);
        List<NDArray> hiddenStates = encoder.forward(preLayerNorm.forward(embeddings));
        NDArray last = hiddenStates.get(hiddenStates.size() - 1);
        NDArray pooled = postLayerNorm.forward(last.get(":, 0, :"));
        return new ClipVisionOutput(hiddenStates, last, visualProjection.forward(pooled));
    }
}
