package org.diffij.models.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import org.diffij.DiffijException;
import org.diffij.engine.CachedModel;
import org.diffij.engine.JobContext;
import org.diffij.io.Json;
import org.diffij.io.WeightSet;
import org.diffij.io.Weights;
import org.diffij.nn.Conv2d;
import org.diffij.nn.GradientCheckpoints;
import org.diffij.nn.GroupNorm;
import org.diffij.nn.Kernels;
import org.diffij.nn.ParameterLoader;
import org.diffij.nn.ParameterTree;
import org.diffij.nn.ParameterizedModel;
import org.diffij.nn.Params;
import org.diffij.nn.Scope;

/**
 * The denoising UNet of Stable Diffusion: {@code conv_in}, down levels keeping skip states, the
 * cross-attention mid block, up levels consuming the skips, then GroupNorm → SiLU → {@code conv_out}.
 * Its weights live in the manager it is built in (the model cache's); each forward's activations
 * in the caller's.
 */
public final class UNet2DConditionModel implements CachedModel, ParameterizedModel {

    private final UNet2DConditionConfig config;
    private final TimeConditioning time;
    private final Conv2d convIn;
    private final List<UNetDownBlock> downBlocks;
    private final UNetMidBlock2DCrossAttn midBlock;
    private final List<UNetUpBlock> upBlocks;
    private final GroupNorm convNormOut;
    private final Conv2d convOut;
    private final long bytes;
    private final ParameterTree parameters;

    public UNet2DConditionModel(UNet2DConditionConfig config, Weights weights, NDManager manager,
            DataType computeType) {
        this(config, new ParameterLoader(weights, manager, computeType, "UNet2DConditionModel"));
    }

    /** Built from the loader's parameters (read from weights, or made up for benchmarks). */
    public UNet2DConditionModel(UNet2DConditionConfig config, ParameterLoader loader) {
        this.config = config;
        Params p = loader.root();
        int[] channels = config.blockOutChannels();
        this.time = new TimeConditioning(p, config);
        this.convIn = new Conv2d(p.at("conv_in"), config.inChannels(), channels[0], config.convInKernel(), 1,
                config.convInKernel() / 2);
        this.downBlocks = UNetLevels.downBlocks(p, config);
        this.midBlock = UNetLevels.midBlock(p, config);
        if (config.upBlockTypes().isEmpty()) {
            throw new DiffijException("UNet config has no up_block_types");
        }
        this.upBlocks = UNetLevels.upBlocks(p, config);
        this.convNormOut = new GroupNorm(p.at("conv_norm_out"), config.normNumGroups(), channels[0], config.normEps());
        this.convOut = new Conv2d(p.at("conv_out"), channels[0], config.outChannels(), config.convOutKernel(), 1,
                config.convOutKernel() / 2);
        loader.finish();
        this.bytes = loader.bytes();
        this.parameters = loader.tree();
    }

    /** A diffusers {@code unet/} folder: {@code config.json} and its safetensors weights. */
    public static UNet2DConditionModel load(Path folder, NDManager manager, DataType computeType) {
        UNet2DConditionConfig config = UNet2DConditionConfig.from(Json.readObject(folder.resolve("config.json")),
                folder.toString());
        try (WeightSet weights = WeightSet.openFolder(folder)) {
            return new UNet2DConditionModel(config, weights, manager, computeType);
        }
    }

    /**
     * A diffusers {@code unet/} folder through the engine's model cache: loaded once per folder and
     * compute dtype, pinned while the job runs.
     */
    public static UNet2DConditionModel cached(JobContext ctx, Path folder) {
        DataType type = ctx.engine().computeType();
        return ctx.model("unet:" + folder.toAbsolutePath().normalize() + ":" + type, m -> load(folder, m, type));
    }

    public UNet2DConditionConfig config() {
        return config;
    }

    public NDArray forward(NDArray sample, NDArray timestep, NDArray context) {
        return forward(sample, timestep, context, null, null);
    }

    /**
     * The noise (or v) prediction for {@code sample (B, in, H, W)} at {@code timestep} given the text
     * {@code context (B, L, cross_attention_dim)}.
     *
     * @param added SDXL's pooled text and time ids, null otherwise
     * @param control ControlNet residuals (already scaled), or null
     */
    public NDArray forward(NDArray sample, NDArray timestep, NDArray context, AddedConditions added,
            ControlResiduals control) {
        checkInputs(sample, context);
        if (control != null && GradientCheckpoints.active()) {
            throw new IllegalStateException("gradient checkpointing does not cover ControlNet residuals");
        }
        return Scope.run(sample, x -> {
            // Each block is one segment of a checkpointed forward (training with gradient checkpointing).
            List<NDArray> prelude = new ArrayList<>(List.of(x, timestep));
            if (added != null) {
                prelude.add(added.textEmbeds());
                prelude.add(added.timeIds());
            }
            List<NDArray> start = GradientCheckpoints.segment(prelude, in -> {
                AddedConditions conditions = in.size() > 2 ? new AddedConditions(in.get(2), in.get(3)) : null;
                NDArray embedding = time.forward(in.get(1), in.get(0).getShape().get(0), conditions,
                        in.get(0).getDataType());
                return List.of(embedding, convIn.forward(Kernels.get().channelsLast(in.get(0))));
            });
            NDArray temb = start.get(0);
            NDArray h = start.get(1);
            List<NDArray> skips = new ArrayList<>();
            skips.add(h);
            for (UNetDownBlock block : downBlocks) {
                List<NDArray> own = GradientCheckpoints.segment(List.of(h, temb, context), in -> {
                    List<NDArray> states = new ArrayList<>();
                    block.forward(in.get(0), in.get(1), in.get(2), states);
                    return states;
                });
                skips.addAll(own);
                h = own.get(own.size() - 1);
            }
            h = GradientCheckpoints.segment(List.of(h, temb, context),
                    in -> List.of(midBlock.forward(in.get(0), in.get(1), in.get(2)))).get(0);
            if (control != null) {
                if (control.down().size() != skips.size()) {
                    throw new DiffijException("the ControlNet gives " + control.down().size()
                            + " residuals but this UNet has " + skips.size() + " skip states; is it for another base?");
                }
                for (int i = 0; i < skips.size(); i++) {
                    skips.set(i, skips.get(i).add(control.down().get(i)));
                }
                h = h.add(control.mid());
            }
            Deque<NDArray> pending = new ArrayDeque<>(skips);
            for (int i = 0; i < upBlocks.size(); i++) {
                // The skip state left after this block's own ones gives the size to upsample to.
                int own = config.layersPerBlock()[config.levels() - 1 - i] + 1;
                NDArray next = nthFromEnd(pending, own);
                long[] size = next == null ? new long[] {0, 0} : next.getShape().slice(2).getShape();
                List<NDArray> inputs = new ArrayList<>(List.of(h, temb, context));
                for (int k = 0; k < own; k++) {
                    inputs.add(3, pending.removeLast());
                }
                UNetUpBlock block = upBlocks.get(i);
                h = GradientCheckpoints.segment(inputs, in -> List.of(block.forward(in.get(0),
                        new ArrayDeque<>(in.subList(3, in.size())), in.get(1), in.get(2), size[0], size[1]))).get(0);
            }
            NDArray state = h;
            return GradientCheckpoints.segment(List.of(state), in -> List.of(Kernels.get().contiguous(
                    convOut.forward(convNormOut.forwardSilu(in.get(0)))))).get(0);
        });
    }

    private static NDArray nthFromEnd(Deque<NDArray> pending, int skip) {
        Iterator<NDArray> it = pending.descendingIterator();
        for (int i = 0; i < skip && it.hasNext(); i++) {
            it.next();
        }
        return it.hasNext() ? it.next() : null;
    }

    private void checkInputs(NDArray sample, NDArray context) {
        long[] s = sample.getShape().getShape();
        if (s.length != 4 || s[1] != config.inChannels()) {
            throw new DiffijException("UNet sample has shape " + sample.getShape() + "; expected (batch, "
                    + config.inChannels() + ", height, width)");
        }
        long[] c = context.getShape().getShape();
        if (c.length != 3 || c[0] != s[0] || c[2] != config.crossAttentionDim()[0]) {
            throw new DiffijException("UNet encoder_hidden_states has shape " + context.getShape() + "; expected ("
                    + s[0] + ", tokens, " + config.crossAttentionDim()[0] + ")");
        }
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
