package org.diffij.models.controlnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.diffij.DiffijException;
import org.diffij.engine.CachedModel;
import org.diffij.engine.JobContext;
import org.diffij.io.Json;
import org.diffij.io.WeightSet;
import org.diffij.io.Weights;
import org.diffij.models.unet.AddedConditions;
import org.diffij.models.unet.ControlResiduals;
import org.diffij.models.unet.TimeConditioning;
import org.diffij.models.unet.UNet2DConditionConfig;
import org.diffij.models.unet.UNetDownBlock;
import org.diffij.models.unet.UNetLevels;
import org.diffij.models.unet.UNetMidBlock2DCrossAttn;
import org.diffij.nn.Conv2d;
import org.diffij.nn.Kernels;
import org.diffij.nn.ParameterLoader;
import org.diffij.nn.ParameterTree;
import org.diffij.nn.ParameterizedModel;
import org.diffij.nn.Params;

/**
 * A copy of the UNet's down path and mid block that also sees a conditioning image (added after
 * {@code conv_in}); each skip state and the mid output pass a 1×1 "zero" conv
 * ({@code controlnet_down_blocks.N}, {@code controlnet_mid_block}) and are scaled by the
 * conditioning scale, giving the residuals the UNet adds to its own.
 */
public final class ControlNetModel implements CachedModel, ParameterizedModel {

    private final ControlNetConfig config;
    private final TimeConditioning time;
    private final Conv2d convIn;
    private final ControlNetConditioningEmbedding condEmbedding;
    private final List<UNetDownBlock> downBlocks;
    private final UNetMidBlock2DCrossAttn midBlock;
    private final List<Conv2d> zeroConvs = new ArrayList<>();
    private final Conv2d midZeroConv;
    private final long bytes;
    private final ParameterTree parameters;

    public ControlNetModel(ControlNetConfig config, Weights weights, NDManager manager, DataType computeType) {
        this(config, new ParameterLoader(weights, manager, computeType, "ControlNetModel"));
    }

    /** Built from the loader's parameters (read from weights, or made up for benchmarks). */
    public ControlNetModel(ControlNetConfig config, ParameterLoader loader) {
        this.config = config;
        UNet2DConditionConfig u = config.unet();
        Params p = loader.root();
        int[] channels = u.blockOutChannels();
        this.time = new TimeConditioning(p, u);
        this.convIn = new Conv2d(p.at("conv_in"), u.inChannels(), channels[0], u.convInKernel(), 1,
                u.convInKernel() / 2);
        this.condEmbedding = new ControlNetConditioningEmbedding(p.at("controlnet_cond_embedding"),
                config.conditioningChannels(), config.conditioningEmbeddingOutChannels(), channels[0]);
        this.downBlocks = UNetLevels.downBlocks(p, u);
        this.midBlock = UNetLevels.midBlock(p, u);
        List<Long> skipChannels = new ArrayList<>();
        skipChannels.add((long) channels[0]);
        for (int level = 0; level < u.levels(); level++) {
            int states = u.layersPerBlock()[level] + (level < u.levels() - 1 ? 1 : 0);
            for (int i = 0; i < states; i++) {
                skipChannels.add((long) channels[level]);
            }
        }
        for (int i = 0; i < skipChannels.size(); i++) {
            long c = skipChannels.get(i);
            zeroConvs.add(new Conv2d(p.at("controlnet_down_blocks", i), c, c, 1, 1, 0));
        }
        long deepest = channels[u.levels() - 1];
        this.midZeroConv = new Conv2d(p.at("controlnet_mid_block"), deepest, deepest, 1, 1, 0);
        loader.finish();
        this.bytes = loader.bytes();
        this.parameters = loader.tree();
    }

    /** The config of a diffusers ControlNet folder, checked, without reading any weight. */
    public static ControlNetConfig readConfig(Path folder) {
        return ControlNetConfig.from(Json.readObject(folder.resolve("config.json")), folder.toString());
    }

    /**
     * A diffusers ControlNet folder ({@code config.json} beside its weights). ControlNets come from
     * many third parties, so every value is scanned too: a NaN or infinite weight would otherwise give
     * a black or noise image without any error.
     */
    public static ControlNetModel load(Path folder, NDManager manager, DataType computeType) {
        ControlNetConfig config = readConfig(folder);
        try (WeightSet weights = WeightSet.openFolder(folder)) {
            return new ControlNetModel(config, new ParameterLoader(weights, manager, computeType, "the ControlNet "
                    + folder).checkingValues());
        }
    }

    /**
     * A diffusers ControlNet folder through the engine's model cache: loaded once per folder and
     * compute dtype, pinned while the job runs.
     */
    public static ControlNetModel cached(JobContext ctx, Path folder) {
        DataType type = ctx.engine().computeType();
        return ctx.model("controlnet:" + folder.toAbsolutePath().normalize() + ":" + type, m -> load(folder, m, type));
    }

    public ControlNetConfig config() {
        return config;
    }

    /**
     * @param conditioning the control image {@code (B, conditioning_channels, H, W)} in [0, 1], RGB, at
     *     image resolution
     * @param scale the conditioning scale the residuals are multiplied by
     * @param added SDXL's added conditions for an SDXL ControlNet, else null
     */
    public ControlResiduals forward(NDArray sample, NDArray timestep, NDArray context, NDArray conditioning,
            float scale, AddedConditions added) {
        long[] s = sample.getShape().getShape();
        long[] c = conditioning.getShape().getShape();
        int factor = 1 << (config.conditioningEmbeddingOutChannels().length - 1);
        if (c.length != 4 || c[0] != s[0] || c[1] != config.conditioningChannels() || c[2] != s[2] * factor
                || c[3] != s[3] * factor) {
            throw new DiffijException("ControlNet conditioning image has shape " + conditioning.getShape()
                    + "; expected (" + s[0] + ", " + config.conditioningChannels() + ", " + s[2] * factor + ", "
                    + s[3] * factor + ") for latents " + sample.getShape());
        }
        NDArray cond = config.bgr() ? conditioning.flip(1) : conditioning;
        NDArray temb = time.forward(timestep, s[0], added, sample.getDataType());
        Kernels kernels = Kernels.get();
        NDArray h = convIn.forward(kernels.channelsLast(sample)).add(condEmbedding.forward(kernels.channelsLast(cond)));
        List<NDArray> skips = new ArrayList<>();
        skips.add(h);
        for (UNetDownBlock block : downBlocks) {
            h = block.forward(h, temb, context, skips);
        }
        h = midBlock.forward(h, temb, context);
        List<NDArray> down = new ArrayList<>();
        for (int i = 0; i < skips.size(); i++) {
            down.add(finish(zeroConvs.get(i).forward(skips.get(i)), scale));
        }
        return new ControlResiduals(down, finish(midZeroConv.forward(h), scale));
    }

    private NDArray finish(NDArray residual, float scale) {
        NDArray scaled = Kernels.get().contiguous(residual.mul(scale));
        return config.globalPoolConditions() ? scaled.mean(new int[] {2, 3}, true) : scaled;
    }

    @Override
    public ParameterTree parameters() {
        return parameters;
    }

    @Override
    public long sizeBytes() {
        return bytes;
    }
}
