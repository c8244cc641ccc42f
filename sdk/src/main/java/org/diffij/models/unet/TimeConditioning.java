package org.diffij.models.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import org.diffij.DiffijException;
import org.diffij.nn.Params;
import org.diffij.nn.TimestepEmbedding;
import org.diffij.nn.Timesteps;

/**
 * The embedding every resnet receives: the timestep's sinusoidal features through
 * {@code time_embedding}, plus for SDXL ({@code text_time}) the pooled text embedding and the
 * size/crop ids through {@code add_time_proj} and {@code add_embedding}.
 */
public final class TimeConditioning {

    private final Timesteps timeProj;
    private final TimestepEmbedding timeEmbedding;
    private final Timesteps addTimeProj;
    private final TimestepEmbedding addEmbedding;
    private final int additionInputDim;

    public TimeConditioning(Params p, UNet2DConditionConfig c) {
        int channels = c.blockOutChannels()[0];
        this.timeProj = new Timesteps(channels, c.flipSinToCos(), c.freqShift());
        this.timeEmbedding = new TimestepEmbedding(p.at("time_embedding"), channels, c.timeEmbedDim());
        if (c.additionEmbedType() != null) {
            this.addTimeProj = new Timesteps(c.additionTimeEmbedDim(), c.flipSinToCos(), c.freqShift());
            this.addEmbedding = new TimestepEmbedding(p.at("add_embedding"), c.projectionClassEmbeddingsInputDim(),
                    c.timeEmbedDim());
        } else {
            this.addTimeProj = null;
            this.addEmbedding = null;
        }
        this.additionInputDim = c.projectionClassEmbeddingsInputDim();
    }

    /**
     * @param timestep {@code [1]} (one for the batch) or {@code [batch]}, fractional values allowed
     * @param added SDXL's conditions; required exactly when the config has {@code addition_embed_type}
     * @param computeType the dtype of the model's activations
     */
    public NDArray forward(NDArray timestep, long batch, AddedConditions added, DataType computeType) {
        NDArray t = timestep.getShape().dimension() == 0 ? timestep.reshape(1) : timestep;
        if (t.getShape().dimension() != 1 || (t.size() != 1 && t.size() != batch)) {
            throw new DiffijException("timestep has shape " + timestep.getShape() + "; give one value or one per "
                    + "sample (" + batch + ")");
        }
        if (t.size() != batch) {
            t = t.broadcast(batch);
        }
        // The sinusoids are computed in float32 and then cast, as diffusers does for half-precision models.
        NDArray emb = timeEmbedding.forward(timeProj.forward(t).toType(computeType, false));
        if (addEmbedding == null) {
            return emb;
        }
        if (added == null) {
            throw new DiffijException("this UNet (addition_embed_type text_time, SDXL) needs text_embeds and time_ids");
        }
        NDArray timeIds = added.timeIds();
        NDArray timeEmbeds = addTimeProj.forward(timeIds.flatten()).reshape(timeIds.getShape().get(0), -1);
        NDArray features = added.textEmbeds().toType(computeType, false)
                .concat(timeEmbeds.toType(computeType, false), -1);
        if (features.getShape().get(1) != additionInputDim || features.getShape().get(0) != batch) {
            throw new DiffijException("text_embeds " + added.textEmbeds().getShape() + " and time_ids "
                    + timeIds.getShape() + " give " + features.getShape() + " added features; this UNet expects ("
                    + batch + ", " + additionInputDim + ")");
        }
        return emb.add(addEmbedding.forward(features));
    }
}
